/**
 * Api: the one HttpApi (ARCHITECTURE.md §3b). It serves the UI and the API on one origin,
 * which the `__Host-` cookie binding of the link flow depends on, so no CORS.
 * Routes are generated from `routes` in shared/routes.ts, one per row.
 */
import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  DomainName,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes, usesJwtAuthorizer, type AuthKind, type FunctionName } from '@shared/routes';
import type { GitlinkContext } from './context';
import type { Identity } from './identity';

/** The route kinds API Gateway authenticates; the others are checked inside the function or public. */

/** Why a route without the JWT authorizer is still safe (cdk-nag APIG4 acknowledgement). */
const publicReason: Record<Exclude<AuthKind, 'jwt' | 'admin'>, string> = {
  none: 'Public by design: the static UI and the health check must load before anyone signs in.',
  state:
    'The OAuth callback arrives as a browser redirect from the provider and carries no JWT; the function authenticates it by the single-use state and the __Host- cookie binding (ARCHITECTURE.md §3).',
  envToken:
    'Environments present gitlink environment tokens, not JWTs; the function verifies them against their stored hash (ARCHITECTURE.md §6).',
};

export interface ApiProps {
  ctx: GitlinkContext;
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /** The public origin with a trailing slash: the custom domain when set, else the stage URL. */
  readonly url: string;
  readonly customDomain?: DomainName;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { ctx } = props;
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'gitlink: web UI and API on one origin',
      // The stage below carries access logs and throttling, which the implicit default stage cannot.
      createDefaultStage: false,
      // With a custom domain, the execute-api URL would be a second origin: Cognito accepts only the
      // domain as callback, and the link cookie would be set on the wrong host.
      disableExecuteApiEndpoint: !!(ctx.domain && ctx.certificateArn),
    });

    if (ctx.domain && ctx.certificateArn) {
      this.customDomain = new DomainName(this, 'Domain', {
        domainName: new URL(ctx.domain).hostname,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', ctx.certificateArn),
      });
    }

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // A ceiling against runaway clients and cost; far above what a team's git traffic needs.
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // `$context.path`, never the raw URL: the callback's query string carries OAuth codes and state.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
      ...(this.customDomain ? { domainMapping: { domainName: this.customDomain } } : {}),
    });

    this.url = ctx.domain ? `${ctx.domain}/` : this.stage.url;
  }

  /** One route per row of the route table; JWT-authorized exactly on `jwt` and `admin` rows. */
  addRoutes(functions: Record<FunctionName, IFunction>, identity: Identity): void {
    const jwt = new HttpJwtAuthorizer('JwtAuthorizer', identity.issuer, { jwtAudience: identity.audience });
    const none = new HttpNoneAuthorizer();
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();

    for (const r of routes) {
      let integration = integrations.get(r.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${r.fn}-integration`, functions[r.fn]);
        integrations.set(r.fn, integration);
      }
      const authorizer: IHttpRouteAuthorizer = usesJwtAuthorizer(r.auth) ? jwt : none;
      for (const route of this.httpApi.addRoutes({ path: r.path, methods: [HttpMethod[r.method]], integration, authorizer })) {
        if (!usesJwtAuthorizer(r.auth)) {
          Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicReason[r.auth] });
        }
      }
    }
  }
}
