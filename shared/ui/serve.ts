/**
 * The `ui` function's actions: index.html (for `/` and the `/link/{providerId}`
 * deep link) and the hashed assets under `/assets/`.
 */
import { notFound, AppError } from '../errors';
import { header, type Ctx } from '../http/handler';
import type { Reply } from '../http/reply';
import type { AssetLoader } from './assets';
import { indexHeaders, renderIndex, type UiPageConfig } from './page';

const notBuilt = () =>
  new AppError('ui_not_built');

export function uiActions(loader: AssetLoader, pageConfig: () => UiPageConfig) {
  const index = async (_ctx: Ctx): Promise<Reply> => {
    const assets = loader.get();
    if (!assets) throw notBuilt();
    const c = pageConfig();
    return { status: 200, headers: indexHeaders(c), body: renderIndex(assets.indexHtml, c) };
  };

  const asset = async (ctx: Ctx): Promise<Reply> => {
    const assets = loader.get();
    if (!assets) throw notBuilt();
    const file = assets.files.get(ctx.params.proxy ?? '');
    if (!file) throw notFound('not_found', 'No such asset.');
    const acceptsGzip = /\bgzip\b/i.test(header(ctx.event, 'accept-encoding') ?? '');
    const gzip = acceptsGzip && file.gzip;
    return {
      status: 200,
      headers: {
        'content-type': file.contentType,
        // Hashed names never change content: cache for a year. Anything else: revalidate.
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        // An asset opened as a document (an SVG, say) may run nothing.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
        ...(file.gzip ? { vary: 'accept-encoding' } : {}),
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
      body: (gzip || file.body).toString('base64'),
      isBase64Encoded: true,
    };
  };

  return {
    'GET /': index,
    'GET /link/{providerId}': index,
    'GET /assets/{proxy+}': asset,
  } as const;
}
