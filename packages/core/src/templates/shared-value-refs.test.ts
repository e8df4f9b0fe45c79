import { sharedValueRefs } from './shared-value-refs';

describe('sharedValueRefs', () => {
  it('finds var.KEY and var["KEY"] inside Jinja only, not HCL variables', () => {
    expect(
      sharedValueRefs([
        'variable "region" {}\nresource "x" "y" { region = var.region }\n',
        'name = "{{ var.BUCKET_PREFIX }}-{{ var[\'suffix\'] }}"\n{% if var.FLAG %}x{% endif %}',
      ]),
    ).toEqual({ keys: ['BUCKET_PREFIX', 'FLAG', 'suffix'], all: false });
  });

  it('means every value when a key is computed or var is used whole', () => {
    expect(sharedValueRefs(['{{ var[name] }}'])).toMatchObject({ all: true });
    expect(sharedValueRefs(['{% for k in var %}{{ k }}{% endfor %}'])).toMatchObject({ all: true });
    expect(sharedValueRefs(['{{ var | tojson }}'])).toMatchObject({ all: true });
  });

  it('is not fooled by names that merely contain var', () => {
    expect(sharedValueRefs(['{{ myvar.x }}{{ inputs.var_name }}{{ x.var }}'])).toEqual({
      keys: [],
      all: false,
    });
  });
});
