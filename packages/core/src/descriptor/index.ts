export * from './yaml-file';
export * from './stk-descriptor';
