// Filled by the what-if module files; each adds its export line here.
export {};
