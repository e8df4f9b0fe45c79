# The repository's files are linked as repodir/ next to these templates (CHECKOUT_BRANCH: true),
# without .git, .stk/FORKED_PLUGINS and EXCLUDE_FILES_PATH.
#
# Terraform has no built-in zip: this bundles the folder as a sorted file list and one SHA-256
# over the files' contents, which is what a deployment needs to notice a change (a Lambda's
# source_code_hash, an upload's trigger). Where the hashicorp/archive provider can be installed,
# `data "archive_file"` with `source_dir = local.folder` makes the zip itself.
locals {
  folder        = "${path.module}/repodir/{{ folder }}"
  files         = sort(tolist(fileset(local.folder, "**")))
  bundle_sha256 = sha256(join("\n", [for f in local.files : "${f} ${filesha256("${local.folder}/${f}")}"]))
}

# Replaced whenever a file of the folder changes.
resource "terraform_data" "bundle" {
  triggers_replace = local.bundle_sha256
}

output "files" {
  value = local.files
}

output "bundle_sha256" {
  value = terraform_data.bundle.triggers_replace
}
