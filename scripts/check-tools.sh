#!/usr/bin/env bash
# Fails loudly when a tool the tests and the demo need is missing. Sourced by test.sh and demo.sh.
missing=0
if ! command -v terraform >/dev/null 2>&1; then
  echo "error: terraform is not on PATH. Install Terraform 1.5+ (this project's machines ship 1.11 at /usr/local/bin/terraform)." >&2
  missing=1
elif ! terraform version >/dev/null 2>&1; then
  echo "error: 'terraform version' failed; the terraform binary on PATH does not run." >&2
  missing=1
fi
if ! command -v moto_server >/dev/null 2>&1; then
  echo "error: moto_server is not on PATH. It is the local S3 server of the tests and the demo: pip install \"moto[server]>=5\"." >&2
  missing=1
fi
for tool in git openssl; do
  # The private-module tests serve a git repository over HTTPS with a throwaway certificate.
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool is not on PATH; the tests need it (apt-get install $tool)." >&2
    missing=1
  fi
done
# The real AWS provider in Terraform's filesystem-mirror layout: plugins deploy real AWS resources
# (against moto_server on loopback) with it, since no provider can be downloaded on these machines.
# TF_PROVIDER_MIRROR names the mirror folder; otherwise the usual places are searched.
if [ -z "${TF_PROVIDER_MIRROR:-}" ]; then
  for candidate in /opt/tf-plugins /usr/local/share/terraform/plugins /usr/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
    if [ -d "$candidate/registry.terraform.io/hashicorp/aws" ]; then
      TF_PROVIDER_MIRROR=$candidate
      break
    fi
  done
fi
if [ -z "${TF_PROVIDER_MIRROR:-}" ] || ! ls -d "$TF_PROVIDER_MIRROR"/registry.terraform.io/hashicorp/aws/*/linux_amd64 >/dev/null 2>&1; then
  echo "error: the hashicorp/aws provider mirror is missing. Set TF_PROVIDER_MIRROR to a folder in Terraform's filesystem-mirror layout holding registry.terraform.io/hashicorp/aws/<version>/linux_amd64/ (this project's machines ship it at /opt/tf-plugins)." >&2
  missing=1
else
  export TF_PROVIDER_MIRROR
fi
if [ "$missing" != 0 ]; then
  echo "error: required tools are missing (see above); nothing was run." >&2
  exit 1
fi
