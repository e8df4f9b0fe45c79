export * from './run-type';
export * from './table';
export * from './deploy';
export * from './rollback';
export * from './destroy';
export * from './record-outcome';
export * from './mode-check';
