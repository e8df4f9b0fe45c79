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

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  queue_name = "{{ queue_full_name }}"
  topic_arn  = "{{ connections.source_topic.arn }}"
  # The queue's ARN is known before the queue exists, so its policy is set when it is created
  # (the provider waits for a queue's attributes to settle after each change, ~25 s).
  queue_arn = "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${local.queue_name}"
}

# Only the topic this queue subscribes to may send to it.
data "aws_iam_policy_document" "topic_may_send" {
  statement {
    sid       = "AllowSourceTopic"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [local.queue_arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.topic_arn]
    }
  }
}

resource "aws_sqs_queue" "this" {
  name                      = local.queue_name
  message_retention_seconds = {{ message_retention_seconds }}
  policy                    = data.aws_iam_policy_document.topic_may_send.json
}

resource "aws_sns_topic_subscription" "this" {
  topic_arn            = local.topic_arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.this.arn
  raw_message_delivery = true
}
