output "sqs_queue_arn" {
  value = aws_sqs_queue.this.arn
}

output "sqs_queue_url" {
  value = aws_sqs_queue.this.url
}

output "subscription_arn" {
  value = aws_sns_topic_subscription.this.arn
}
