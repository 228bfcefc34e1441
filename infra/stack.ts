/** GitlinkStack: the whole deployment, one construct per concern. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './api';
import { readContext } from './context';
import { Events } from './events';
import { Functions } from './functions';
import { Identity } from './identity';
import { Keys } from './keys';
import { Operations } from './operations';
import { Storage } from './storage';

export class GitlinkStack extends Stack {
  readonly api: Api;
  readonly events: Events;
  readonly functions: Functions;
  readonly identity: Identity;
  readonly keys: Keys;
  readonly operations: Operations;
  readonly storage: Storage;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const ctx = readContext(this.node);

    this.storage = new Storage(this, 'Storage', { deletionProtection: ctx.deletionProtection });
    this.keys = new Keys(this, 'Keys');
    this.events = new Events(this, 'Events');
    // The API (without routes) comes first: the Cognito client registers its URL as the
    // sign-in callback. No cycle: the URL depends only on the API id, not on its routes.
    this.api = new Api(this, 'Api', { ctx });
    this.identity = new Identity(this, 'Identity', { ctx, appUrl: this.api.url });
    this.functions = new Functions(this, 'Functions', {
      ctx,
      table: this.storage.table,
      tokenKey: this.keys.tokenKey,
      signingKey: this.keys.signingKey,
      bus: this.events.bus,
      identity: this.identity,
      publicUrl: this.api.url,
    });
    this.api.addRoutes(this.functions.byName, this.identity);
    this.operations = new Operations(this, 'Operations', {
      functions: this.functions.byName,
      httpApi: this.api.httpApi,
      table: this.storage.table,
      ...(ctx.alarmEmail ? { alarmEmail: ctx.alarmEmail } : {}),
    });

    const url = this.api.url;
    new CfnOutput(this, 'Url', { value: url, description: 'The web UI and API (open it to sign in)' });
    new CfnOutput(this, 'OAuthCallbackUrl', {
      value: `${url}oauth/callback`,
      description: 'Register this callback / redirect URL with every Git provider',
    });
    new CfnOutput(this, 'ApiEndpoint', {
      value: this.api.stage.url,
      description: 'The execute-api URL (the origin of a custom domain, if one is set)',
    });
    if (this.api.customDomain) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.api.customDomain.regionalDomainName,
        description: `Point a CNAME/alias for ${ctx.domain} at this name`,
      });
    }
    new CfnOutput(this, 'OidcIssuer', { value: this.identity.issuer, description: 'The JWT issuer the API accepts' });
    new CfnOutput(this, 'OidcClientId', { value: this.identity.clientId, description: 'The OIDC client the web UI signs in with' });
    if (this.identity.userPool) {
      new CfnOutput(this, 'UserPoolId', {
        value: this.identity.userPool.userPoolId,
        description: `Add developers here; add admins to the ${ctx.adminGroup} group`,
      });
    }
    if (this.identity.domain) {
      new CfnOutput(this, 'SignInDomain', { value: this.identity.domain.baseUrl(), description: 'Cognito hosted sign-in' });
    }
    new CfnOutput(this, 'TableName', { value: this.storage.table.tableName });
    new CfnOutput(this, 'EventBusName', {
      value: this.events.bus.eventBusName,
      description: 'Subscribe to gitlink lifecycle events with a rule on this bus (README "Operations")',
    });
  }
}
