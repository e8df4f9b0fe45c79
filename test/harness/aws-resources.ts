/**
 * Reads back, with the AWS SDK, the resources plugins created in moto_server: proof, outside
 * Terraform and the engine, that they exist and are wired as the plugins say (a message published
 * to the topic arrives in the subscribed queue). Loopback only.
 */
import {
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { TEST_CREDENTIALS, type MotoServer } from './moto';

export interface TopicFacts {
  arn: string;
  displayName: string;
  subscriptions: { protocol: string; endpoint: string }[];
}

export interface QueueFacts {
  url: string;
  arn: string;
  retentionSeconds: number;
  /** Who may send to the queue (the queue policy's statements, as AWS stores them). */
  policy: { Effect: string; Principal: unknown; Action: unknown; Condition?: unknown }[];
  tags: Record<string, string>;
}

export interface BucketFacts {
  name: string;
  versioning: string;
  tags: Record<string, string>;
}

/** The region an ARN names (`arn:aws:sns:<region>:...`). */
function regionOf(arn: string): string {
  const region = arn.split(':')[3];
  if (!region) throw new Error(`not an ARN with a region: ${arn}`);
  return region;
}

export class AwsReadBack {
  constructor(private readonly moto: MotoServer) {}

  private config(region: string) {
    return {
      endpoint: this.moto.endpoint,
      region,
      credentials: TEST_CREDENTIALS,
      requestHandler: new NodeHttpHandler({ requestTimeout: 10000, throwOnRequestTimeout: true }),
    };
  }

  async topic(arn: string): Promise<TopicFacts> {
    const sns = new SNSClient(this.config(regionOf(arn)));
    const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    const subscriptions = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    return {
      arn: attributes.Attributes?.TopicArn ?? '',
      displayName: attributes.Attributes?.DisplayName ?? '',
      subscriptions: (subscriptions.Subscriptions ?? []).map((s) => ({
        protocol: s.Protocol ?? '',
        endpoint: s.Endpoint ?? '',
      })),
    };
  }

  async queue(url: string, region: string): Promise<QueueFacts> {
    const sqs = new SQSClient(this.config(region));
    const { Attributes: a = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    const policy = a.Policy ? (JSON.parse(a.Policy) as { Statement: QueueFacts['policy'] }) : null;
    const tags = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    return {
      url,
      arn: a.QueueArn ?? '',
      retentionSeconds: Number(a.MessageRetentionPeriod),
      policy: policy?.Statement ?? [],
      tags: tags.Tags ?? {},
    };
  }

  async bucket(name: string, region: string): Promise<BucketFacts> {
    const s3 = new S3Client({ ...this.config(region), forcePathStyle: true });
    await s3.send(new HeadBucketCommand({ Bucket: name }));
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: name }));
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: name }));
    return {
      name,
      versioning: versioning.Status ?? 'Disabled',
      tags: Object.fromEntries((tagging.TagSet ?? []).map((t) => [t.Key, t.Value])),
    };
  }

  /**
   * Publishes `message` to the topic and waits (up to 10 s) for it in the queue: what arrives
   * (SNS wraps it in its JSON envelope unless raw delivery is on), or undefined.
   */
  async deliver(topicArn: string, queueUrl: string, message: string): Promise<string | undefined> {
    const region = regionOf(topicArn);
    const sns = new SNSClient(this.config(region));
    const sqs = new SQSClient(this.config(region));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
    for (let attempt = 0; attempt < 10; attempt++) {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
      );
      const first = received.Messages?.[0];
      if (first) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle }),
        );
        return first.Body;
      }
    }
    return undefined;
  }
}
