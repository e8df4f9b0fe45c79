/**
 * The @actions/* 3.x packages publish only an `import` export condition. jest in CommonJS mode asks
 * for `require`, finds nothing and fails; resolve them with the `import` condition instead.
 */
module.exports = (path, options) => {
  const conditions = /^@actions\//.test(path) ? ['import', 'default', 'node'] : options.conditions;
  return options.defaultResolver(path, { ...options, conditions });
};
