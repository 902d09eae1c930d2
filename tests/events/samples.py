"""Which type decodes which sample: the project's own fixtures and the real sample events.

Used by the tests and by the decode benchmark (``bench_decode.py``).
"""

from __future__ import annotations

from typing import Any, Dict, List

import msgspec

from native_lambda.events.alb import ALBEvent
from native_lambda.events.apigateway import APIGatewayProxyEvent, APIGatewayV2Event
from native_lambda.events.authorizer import (
    RequestAuthorizerEvent,
    RequestAuthorizerEventV2,
    TokenAuthorizerEvent,
)
from native_lambda.events.cloudwatch_logs import CloudWatchLogsEvent
from native_lambda.events.dynamodb import DynamoDBStreamEvent
from native_lambda.events.eventbridge import EventBridgeEvent, ScheduledEvent
from native_lambda.events.firehose import FirehoseEvent
from native_lambda.events.function_url import FunctionUrlEvent
from native_lambda.events.kinesis import KinesisEvent
from native_lambda.events.s3 import S3Event, S3EventBridgeEvent
from native_lambda.events.sns import SNSEvent
from native_lambda.events.sqs import SQSEvent


class OrderLine(msgspec.Struct):
    sku: str
    qty: int


class OrderPlaced(msgspec.Struct, rename="camel"):
    order_id: str
    total: float
    items: List[OrderLine]


OWN: Dict[str, Any] = {
    "apigw_v1.json": APIGatewayProxyEvent,
    "apigw_v2.json": APIGatewayV2Event,
    "function_url.json": FunctionUrlEvent,
    "alb.json": ALBEvent,
    "alb_multi_value.json": ALBEvent,
    "authorizer_token.json": TokenAuthorizerEvent,
    "authorizer_request.json": RequestAuthorizerEvent,
    "authorizer_v2.json": RequestAuthorizerEventV2,
    "sqs.json": SQSEvent,
    "sqs_fifo.json": SQSEvent,
    "sns.json": SNSEvent,
    "s3.json": S3Event,
    "s3_eventbridge.json": S3EventBridgeEvent,
    "dynamodb.json": DynamoDBStreamEvent,
    "kinesis.json": KinesisEvent,
    "firehose.json": FirehoseEvent,
    "eventbridge.json": EventBridgeEvent[OrderPlaced],
    "scheduled.json": ScheduledEvent,
    "cloudwatch_logs.json": CloudWatchLogsEvent,
}

# --- the real sample events: Powertools' test events ---
# COVERED are copied into tests/events/powertools (with their licence); NOT_COVERED records
# why each other Powertools sample is left out.

COVERED: Dict[str, Any] = {
    "albEvent.json": ALBEvent,
    "albEventPathTrailingSlash.json": ALBEvent,
    "albMultiValueHeadersEvent.json": ALBEvent,
    "albMultiValueQueryStringEvent.json": ALBEvent,
    "apiGatewayAuthorizerRequestEvent.json": RequestAuthorizerEvent,
    "apiGatewayAuthorizerTokenEvent.json": TokenAuthorizerEvent,
    "apiGatewayAuthorizerV2Event.json": RequestAuthorizerEventV2,
    "apiGatewayProxyEvent.json": APIGatewayProxyEvent,
    "apiGatewayProxyEventAnotherPath.json": APIGatewayProxyEvent,
    "apiGatewayProxyEventNoOrigin.json": APIGatewayProxyEvent,
    "apiGatewayProxyEventPathTrailingSlash.json": APIGatewayProxyEvent,
    "apiGatewayProxyEvent_noVersionAuth.json": APIGatewayProxyEvent,
    "apiGatewayProxyOtherEvent.json": APIGatewayProxyEvent,
    "apigatewayeSchemaMiddlwareInvalidEvent.json": APIGatewayProxyEvent,
    "apigatewayeSchemaMiddlwareValidEvent.json": APIGatewayProxyEvent,
    "apiGatewayProxyV2Event.json": APIGatewayV2Event,
    "apiGatewayProxyV2EventPathTrailingSlash.json": APIGatewayV2Event,
    "apiGatewayProxyV2Event_GET.json": APIGatewayV2Event,
    "apiGatewayProxyV2IamEvent.json": APIGatewayV2Event,
    "apiGatewayProxyV2LambdaAuthorizerEvent.json": APIGatewayV2Event,
    "apiGatewayProxyV2OtherGetEvent.json": APIGatewayV2Event,
    "apiGatewayProxyV2SchemaMiddlwareInvalidEvent.json": APIGatewayV2Event,
    "apiGatewayProxyV2SchemaMiddlwareValidEvent.json": APIGatewayV2Event,
    "lambdaFunctionUrlEvent.json": FunctionUrlEvent,
    "lambdaFunctionUrlEventPathTrailingSlash.json": FunctionUrlEvent,
    "lambdaFunctionUrlEventWithHeaders.json": FunctionUrlEvent,
    "lambdaFunctionUrlIAMEvent.json": FunctionUrlEvent,
    "sqsEvent.json": SQSEvent,
    "sqsDlqTriggerEvent.json": SQSEvent,
    "snsSqsEvent.json": SQSEvent,
    "snsSqsFifoEvent.json": SQSEvent,
    "s3SqsEvent.json": SQSEvent,
    "snsEvent.json": SNSEvent,
    "s3Event.json": S3Event,
    "s3EventDecodedKey.json": S3Event,
    "s3EventDeleteObject.json": S3Event,
    "s3EventGlacier.json": S3Event,
    "s3EventBridgeNotificationObjectCreatedEvent.json": S3EventBridgeEvent,
    "s3EventBridgeNotificationObjectDeletedEvent.json": S3EventBridgeEvent,
    "s3EventBridgeNotificationObjectExpiredEvent.json": S3EventBridgeEvent,
    "s3EventBridgeNotificationObjectRestoreCompletedEvent.json": S3EventBridgeEvent,
    "dynamoStreamEvent.json": DynamoDBStreamEvent,
    "kinesisStreamEvent.json": KinesisEvent,
    "kinesisStreamEventOneRecord.json": KinesisEvent,
    "kinesisStreamCloudWatchLogsEvent.json": KinesisEvent,
    "kinesisFirehoseKinesisEvent.json": FirehoseEvent,
    "kinesisFirehosePutEvent.json": FirehoseEvent,
    "kinesisFirehoseSQSEvent.json": FirehoseEvent,
    "eventBridgeEvent.json": EventBridgeEvent,
    "cloudWatchLogEvent.json": CloudWatchLogsEvent,
    "cloudWatchLogEventWithPolicyLevel.json": CloudWatchLogsEvent,
}

# Fields present in a sample that the Structs deliberately do not model.
UNMODELLED = {
    # Powertools adds the decoded key to its own test event; S3 never sends it
    # (S3Object.decoded_key computes it).
    "s3EventDecodedKey.json": ["$.Records[0].s3.object.urlDecodedKey"],
}

_OUT_OF_SCOPE = "event source outside issue 6's list"
NOT_COVERED: Dict[str, str] = {
    # A fragment Powertools uses to test one accessor: requestContext lacks accountId,
    # apiId and stage, which API Gateway always sends. Kept as a malformed-event check.
    "apiGatewayProxyEventPrincipalId.json": "truncated fragment (see test below)",
    "activeMQEvent.json": _OUT_OF_SCOPE + " (Amazon MQ)",
    "rabbitMQEvent.json": _OUT_OF_SCOPE + " (Amazon MQ for RabbitMQ)",
    "kafkaEventMsk.json": _OUT_OF_SCOPE + " (MSK)",
    "kafkaEventSelfManaged.json": _OUT_OF_SCOPE + " (self-managed Kafka)",
    "appSyncAuthorizerEvent.json": _OUT_OF_SCOPE + " (AppSync)",
    "appSyncAuthorizerResponse.json": _OUT_OF_SCOPE + " (AppSync)",
    "appSyncBatchEvent.json": _OUT_OF_SCOPE + " (AppSync)",
    "appSyncDirectResolver.json": _OUT_OF_SCOPE + " (AppSync)",
    "appSyncResolverEvent.json": _OUT_OF_SCOPE + " (AppSync)",
    "awsConfigRuleConfigurationChanged.json": _OUT_OF_SCOPE + " (AWS Config rules)",
    "awsConfigRuleOversizedConfiguration.json": _OUT_OF_SCOPE + " (AWS Config rules)",
    "awsConfigRuleScheduled.json": _OUT_OF_SCOPE + " (AWS Config rules)",
    "bedrockAgentEvent.json": _OUT_OF_SCOPE + " (Bedrock agents)",
    "bedrockAgentEventWithPathParams.json": _OUT_OF_SCOPE + " (Bedrock agents)",
    "bedrockAgentPostEvent.json": _OUT_OF_SCOPE + " (Bedrock agents)",
    "cloudWatchAlarmEventCompositeMetric.json": _OUT_OF_SCOPE + " (alarm actions)",
    "cloudWatchAlarmEventSingleMetric.json": _OUT_OF_SCOPE + " (alarm actions)",
    "cloudWatchDashboardEvent.json": _OUT_OF_SCOPE + " (dashboard custom widgets)",
    "cloudformationCustomResourceCreate.json": _OUT_OF_SCOPE + " (CloudFormation)",
    "cloudformationCustomResourceDelete.json": _OUT_OF_SCOPE + " (CloudFormation)",
    "cloudformationCustomResourceUpdate.json": _OUT_OF_SCOPE + " (CloudFormation)",
    "codeDeployLifecycleHookEvent.json": _OUT_OF_SCOPE + " (CodeDeploy)",
    "codePipelineEvent.json": _OUT_OF_SCOPE + " (CodePipeline)",
    "codePipelineEventData.json": _OUT_OF_SCOPE + " (CodePipeline)",
    "codePipelineEventEmptyUserParameters.json": _OUT_OF_SCOPE + " (CodePipeline)",
    "codePipelineEventWithEncryptionKey.json": _OUT_OF_SCOPE + " (CodePipeline)",
    "connectContactFlowEventAll.json": _OUT_OF_SCOPE + " (Amazon Connect)",
    "connectContactFlowEventMin.json": _OUT_OF_SCOPE + " (Amazon Connect)",
    "s3BatchOperationEventSchemaV1.json": _OUT_OF_SCOPE + " (S3 Batch Operations)",
    "s3BatchOperationEventSchemaV2.json": _OUT_OF_SCOPE + " (S3 Batch Operations)",
    "s3ObjectEventIAMUser.json": _OUT_OF_SCOPE + " (S3 Object Lambda)",
    "s3ObjectEventTempCredentials.json": _OUT_OF_SCOPE + " (S3 Object Lambda)",
    "secretsManagerEvent.json": _OUT_OF_SCOPE + " (Secrets Manager rotation)",
    "sesEvent.json": _OUT_OF_SCOPE + " (SES)",
    "vpcLatticeEvent.json": _OUT_OF_SCOPE + " (VPC Lattice)",
    "vpcLatticeEventPathTrailingSlash.json": _OUT_OF_SCOPE + " (VPC Lattice)",
    "vpcLatticeEventV2PathTrailingSlash.json": _OUT_OF_SCOPE + " (VPC Lattice)",
    "vpcLatticeV2Event.json": _OUT_OF_SCOPE + " (VPC Lattice)",
    "vpcLatticeV2EventWithHeaders.json": _OUT_OF_SCOPE + " (VPC Lattice)",
}
COGNITO = "cognito"  # every Cognito user-pool trigger: out of scope
