// The runtime client of the deployed tier, run by the template's Node inside a function's
// task root: what aws-lambda-ric does, reduced to the documented Lambda Runtime API
// (GET /runtime/invocation/next, POST …/response, …/error, /runtime/init/error).
// It resolves the Handler string the way the RIC does ("index.handler": module `index`
// in LAMBDA_TASK_ROOT, as .js, .mjs or .cjs; export `handler`).
//
// It also observes the function, for the tier's checks: every environment variable the
// code reads, and every file it touches (inside the task root or not), reported to the
// harness after each invocation at /harness/observed (not part of the Runtime API).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerString = process.env._HANDLER;

const envReads = new Set();
const files = new Map(); // path -> exists
const realEnv = process.env;
process.env = new Proxy(realEnv, {
  get(t, k) {
    if (typeof k === 'string') envReads.add(k);
    return t[k];
  },
  has(t, k) {
    if (typeof k === 'string') envReads.add(k);
    return k in t;
  },
});
const record = (p) => {
  if (typeof p !== 'string' && !(p instanceof URL)) return;
  const abs = path.resolve(String(p instanceof URL ? p.pathname : p));
  if (!files.has(abs)) files.set(abs, fs.existsSync.__real ? fs.existsSync.__real(abs) : true);
};
for (const [obj, names] of [
  [fs, ['readFileSync', 'readFile', 'existsSync', 'statSync', 'stat', 'lstatSync', 'createReadStream', 'readdirSync', 'readdir', 'openSync', 'open', 'accessSync', 'access']],
  [fs.promises, ['readFile', 'stat', 'lstat', 'readdir', 'open', 'access']],
]) {
  for (const name of names) {
    const real = obj[name];
    if (typeof real !== 'function') continue;
    const wrapped = function (p, ...rest) {
      record(p);
      return real.call(this, p, ...rest);
    };
    wrapped.__real = real;
    obj[name] = wrapped;
  }
}

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const [host, port] = api.split(':');
    const req = http.request({ host, port, method, path: urlPath, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

const errorBody = (e) => ({
  errorType: (e && e.name) || 'Error',
  errorMessage: (e && e.message) || String(e),
  trace: String((e && e.stack) || '').split('\n'),
});

function resolveHandler() {
  const dot = handlerString.lastIndexOf('.');
  const modulePath = handlerString.slice(0, dot);
  const exportPath = handlerString.slice(dot + 1);
  const base = path.resolve(taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync.__real(f));
  if (!file) throw Object.assign(new Error(`Cannot find module '${modulePath}'`), { name: 'Runtime.ImportModuleError' });
  return (file.endsWith('.mjs') ? import(file) : Promise.resolve(require(file))).then((mod) => {
    const fn = exportPath.split('.').reduce((o, k) => (o == null ? undefined : o[k]), mod);
    if (typeof fn !== 'function') throw Object.assign(new Error(`${handlerString} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
    return fn;
  });
}

async function main() {
  let handler;
  try {
    handler = await resolveHandler();
  } catch (e) {
    console.error(JSON.stringify({ level: 'ERROR', message: 'init error', ...errorBody(e) }));
    await call('POST', '/2018-06-01/runtime/init/error', errorBody(e), { 'lambda-runtime-function-error-type': 'Runtime.ImportModuleError' });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/2018-06-01/runtime/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
    const context = {
      awsRequestId: id,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      functionName: realEnv.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: realEnv.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: realEnv.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: realEnv.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: realEnv.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let outcome;
    try {
      const result = await handler(JSON.parse(next.body), context);
      outcome = ['response', result === undefined ? 'null' : JSON.stringify(result)];
    } catch (e) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'Invoke Error', ...errorBody(e) }));
      outcome = ['error', errorBody(e)];
    }
    await call('POST', '/harness/observed', { envReads: [...envReads], files: [...files] });
    await call('POST', `/2018-06-01/runtime/invocation/${id}/${outcome[0]}`, outcome[1]);
  }
}
main();
