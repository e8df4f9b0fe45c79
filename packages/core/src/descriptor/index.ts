export * from './yaml-file';
export * from './stk-descriptor';
export * from './v1-entries';
