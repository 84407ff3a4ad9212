/**
 * The small symmetric linear algebra of survival models, as R survival's cholesky2.c / chsolve2.c /
 * chinv2.c: an LDLᵀ decomposition that tolerates singular (collinear) matrices by zeroing pivots below
 * toler·max(diag), so an aliased covariate gets a zero row instead of a failure — R then reports its
 * coefficient as NA, and so do we. Matrices here are p × p with p the number of covariates (tiny), held as
 * plain arrays. ml-matrix is not used: its Cholesky has no pivot tolerance (a singular information matrix is
 * just "not positive definite") and its inverse and solve throw "LU matrix is singular", where R's coxph
 * zeroes the pivot, reports the rank and prints the aliased coefficient as NA.
 */

/** R's toler.chol default, .Machine$double.eps^0.75. */
export const TOLER_CHOL = Number.EPSILON ** 0.75;

export interface SymmetricDecomposition {
  /** Lower triangle holds L (unit diagonal implied), diagonal holds D; zero D marks a singular pivot. */
  ld: number[][];
  rank: number;
  /** −1 when the matrix was found not non-negative definite. */
  nonNegative: boolean;
}

/** cholesky2: LDLᵀ of a symmetric matrix (only its upper triangle is read). */
export function symmetricDecompose(matrix: readonly (readonly number[])[], toler = TOLER_CHOL): SymmetricDecomposition {
  const n = matrix.length;
  const m = matrix.map((row) => [...row]);
  let eps = 0;
  for (let i = 0; i < n; i++) {
    if (m[i][i] > eps) eps = m[i][i];
    for (let j = i + 1; j < n; j++) m[j][i] = m[i][j];
  }
  eps = eps === 0 ? toler : eps * toler;
  let rank = 0;
  let nonNegative = true;
  for (let i = 0; i < n; i++) {
    const pivot = m[i][i];
    if (!Number.isFinite(pivot) || pivot < eps) {
      m[i][i] = 0;
      if (pivot < -8 * eps) nonNegative = false;
    } else {
      rank++;
      for (let j = i + 1; j < n; j++) {
        const temp = m[j][i] / pivot;
        m[j][i] = temp;
        m[j][j] -= temp * temp * pivot;
        for (let k = j + 1; k < n; k++) m[k][j] -= temp * m[k][i];
      }
    }
  }
  return { ld: m, rank, nonNegative };
}

/** chsolve2: solves A·x = y with the decomposition; components on singular pivots are set to 0. */
export function choleskySolve({ ld }: SymmetricDecomposition, y: readonly number[]): number[] {
  const n = ld.length;
  const x = [...y];
  for (let i = 0; i < n; i++) {
    let temp = x[i];
    for (let j = 0; j < i; j++) temp -= x[j] * ld[i][j];
    x[i] = temp;
  }
  for (let i = n - 1; i >= 0; i--) {
    if (ld[i][i] === 0) x[i] = 0;
    else {
      let temp = x[i] / ld[i][i];
      for (let j = i + 1; j < n; j++) temp -= x[j] * ld[j][i];
      x[i] = temp;
    }
  }
  return x;
}

/** Generalised inverse (chinv2): columns solved against unit vectors; singular rows/columns are 0. */
export function choleskyInverse(decomposition: SymmetricDecomposition): number[][] {
  const n = decomposition.ld.length;
  const columns = Array.from({ length: n }, (_, j) =>
    choleskySolve(
      decomposition,
      Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)),
    ),
  );
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => columns[j][i]));
}
