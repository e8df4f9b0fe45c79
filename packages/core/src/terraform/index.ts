// Filled in by the work on this concept; see the README of packages/core.
export {};
