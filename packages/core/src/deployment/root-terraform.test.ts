import { missingRootTerraform } from './root-terraform';

describe('missingRootTerraform', () => {
  it('says nothing when Terraform is at the top', () => {
    expect(missingRootTerraform(['main.tf', 'modules/x/main.tf'], 'p/templates-deploy')).toBe(
      undefined,
    );
    expect(missingRootTerraform(['main.tf.json'], 'templates-deploy')).toBe(undefined);
  });

  it('names the folders holding the .tf files of a plugin that has none at the top', () => {
    expect(
      missingRootTerraform(
        ['README-deploy.md', 'terraform/main.tf', 'terraform/vars.tf', 'extra/x.tf.json'],
        'templates-deploy',
      ),
    ).toBe(
      'templates-deploy renders no Terraform file at its top level, so this plugin deploys nothing: Terraform reads only the top folder, and this plugin\'s .tf files are in templates-deploy/terraform, templates-deploy/extra. Move them to templates-deploy/, or call their folder as a module ("./<folder>") from a .tf file there.',
    );
    expect(missingRootTerraform(['README-deploy.md'], 'p/templates-deploy')).toMatch(
      /^p\/templates-deploy renders no Terraform file \(\.tf or \.tf\.json\)/,
    );
  });
});
