/** The EventBridge adapter of the event bus port: one PutEvents per event, on the custom gitlink bus. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '../aws/policy';
import type { Config } from '../config';
import { localBus, type EventBus } from './bus';
import type { GitlinkEvent } from './schema';

/** EventBridge `source` of every gitlink event; `detail-type` is the event type. */
export const EVENT_SOURCE = 'gitlink';

export interface EventBridgeBusOptions {
  busName: string;
  client?: EventBridgeClient;
  region?: string;
  /** The SDK also reads AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_EVENTBRIDGE) itself. */
  endpoint?: string;
  /** One attempt's timeout (shared/aws/policy.ts); default none. */
  requestTimeoutMs?: number;
}

export class EventBridgeBus implements EventBus {
  private readonly client: EventBridgeClient;
  constructor(private readonly opts: EventBridgeBusOptions) {
    this.client =
      opts.client ??
      new EventBridgeClient({
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...awsClientConfig(opts.requestTimeoutMs),
      });
  }

  async publish(event: GitlinkEvent): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: this.opts.busName, Source: EVENT_SOURCE, DetailType: event.type, Time: new Date(event.time), Detail: JSON.stringify(event) }],
      }),
    );
    // PutEvents answers 200 even when an entry failed; the entry says why.
    if (out.FailedEntryCount) {
      const failed = out.Entries?.find((e) => e.ErrorCode);
      throw new Error(`EventBridge refused the event: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`.trim());
    }
  }
}

/** The bus of this process: the configured EventBridge bus, else (local mode) the in-process one. */
export const eventBusFor = (config: Config): EventBus =>
  config.EVENT_BUS_NAME
    ? new EventBridgeBus({ busName: config.EVENT_BUS_NAME, region: config.AWS_REGION, requestTimeoutMs: config.AWS_REQUEST_TIMEOUT_MS, ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}) })
    : localBus;
