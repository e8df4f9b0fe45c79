export * from './audit-trail';
export * from './run-type';
