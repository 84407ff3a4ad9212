// Filled by the plan module files; each adds its export line here.
export {};
