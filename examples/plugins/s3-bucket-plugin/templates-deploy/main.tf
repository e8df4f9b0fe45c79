terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "{{ region }}"

  default_tags {
    tags = {
      Environment = "{{ environment }}"
      ManagedBy   = "deploy-engine"
    }
  }
}

resource "aws_s3_bucket" "this" {
  bucket = "{{ bucket_name }}-{{ environment }}"
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "{% if versioning %}Enabled{% else %}Suspended{% endif %}"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}

output "bucket_name" {
  value = aws_s3_bucket.this.bucket
}
