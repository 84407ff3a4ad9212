/**
 * Small dense symmetric positive-definite systems by Cholesky factorisation, in place and without
 * allocation: the normal equations of the surface patches (refineSurface.ts, smoothSurface.ts), solved
 * once per patch in the engine's hot loop.
 */

/** Row stride of the systems solveSymmetric solves: up to nine unknowns (a quadric patch's coefficients). */
export const MAX_TERMS = 9;

/**
 * Solves the n×n symmetric positive system whose upper triangle is in A (row stride MAX_TERMS) by
 * Cholesky, overwriting A with its factor; false when it is not positive definite (too few or
 * degenerate neighbours). (survival/linearAlgebra.ts has a general LDLᵀ on number[][]; this runs once
 * per surface sample in the hot loop and must not allocate.)
 */
export function solveSymmetric(A: Float64Array, n: number, b: Float64Array, x: Float64Array): boolean {
  if (!factorSymmetric(A, n)) return false;
  solveFactored(A, n, b, x);
  return true;
}

/**
 * Cholesky factorisation in place: the upper triangle of A (row stride MAX_TERMS) becomes R with
 * A = RᵀR; false when A is not positive definite. Factor once, then `solveFactored` per right side.
 */
export function factorSymmetric(A: Float64Array, n: number): boolean {
  const S = MAX_TERMS;
  const tol = 1e-13 * Math.abs(A[0]);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = A[S * i + j];
      for (let k = 0; k < i; k++) s -= A[S * k + i] * A[S * k + j];
      if (i === j) {
        if (!(s > tol)) return false;
        A[S * i + i] = Math.sqrt(s);
      } else {
        A[S * i + j] = s / A[S * i + i];
      }
    }
  }
  return true;
}

/** Solves RᵀR x = b with R the factor `factorSymmetric` left in A (forward, then back substitution). */
export function solveFactored(R: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  const S = MAX_TERMS;
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= R[S * k + i] * x[k];
    x[i] = s / R[S * i + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= R[S * i + k] * x[k];
    x[i] = s / R[S * i + i];
  }
}
