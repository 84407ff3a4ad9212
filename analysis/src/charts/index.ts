// Filled by the charts module files; each adds its export line here.
export {};
