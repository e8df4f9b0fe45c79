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

resource "aws_sns_topic" "this" {
  name         = "{{ topic_name }}-{{ environment }}"
  display_name = "{{ topic_name }}"
}
