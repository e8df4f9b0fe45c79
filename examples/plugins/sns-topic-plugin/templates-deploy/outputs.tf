output "topic_name" {
  value = terraform_data.topic.output.name
}

output "topic_arn" {
  value = "arn:aws:sns:${terraform_data.topic.output.region}:000000000000:${terraform_data.topic.output.name}"
}
