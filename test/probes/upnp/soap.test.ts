import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildSoapEnvelope, parseSoapResponse, soapCall } from '../../../src/probes/upnp/soap.js';
import { renderSoapFault, renderSoapResponse } from '../../../src/testing/fake-igd/xml.js';
import { startLoopbackServer, readRequestBody, type LoopbackServer } from '../../../src/testing/http-server.js';

const WANIP2 = 'urn:schemas-upnp-org:service:WANIPConnection:2';

describe('buildSoapEnvelope', () => {
  it('writes the action in the service namespace and escapes argument values', () => {
    const xml = buildSoapEnvelope(WANIP2, 'AddPortMapping', [
      ['NewExternalPort', 32400],
      ['NewEnabled', true],
      ['NewPortMappingDescription', 'Plex <&> "test"'],
    ]);
    expect(xml).toContain(`<u:AddPortMapping xmlns:u="${WANIP2}">`);
    expect(xml).toContain('<NewExternalPort>32400</NewExternalPort><NewEnabled>1</NewEnabled>');
    expect(xml).toContain('<NewPortMappingDescription>Plex &lt;&amp;&gt; &quot;test&quot;</NewPortMappingDescription>');
    // Our own envelope must parse back: proves it is well-formed XML.
    const back = parseSoapResponse(xml.replace(/AddPortMapping/g, 'AddPortMappingResponse'), 'AddPortMapping');
    expect(back).toEqual({
      kind: 'response',
      values: { NewExternalPort: '32400', NewEnabled: '1', NewPortMappingDescription: 'Plex <&> "test"' },
    });
  });
});

describe('parseSoapResponse', () => {
  it('reads out arguments whatever the prefixes', () => {
    expect(
      parseSoapResponse(
        renderSoapResponse(WANIP2, 'GetExternalIPAddress', { NewExternalIPAddress: '84.1.1.2' }),
        'GetExternalIPAddress',
      ),
    ).toEqual({
      kind: 'response',
      values: { NewExternalIPAddress: '84.1.1.2' },
    });
    const other = `<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>
      <m:GetStatusInfoResponse xmlns:m="${WANIP2}"><NewConnectionStatus>Connected</NewConnectionStatus><NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>592</NewUptime></m:GetStatusInfoResponse>
      </SOAP-ENV:Body></SOAP-ENV:Envelope>`;
    expect(parseSoapResponse(other, 'GetStatusInfo')).toEqual({
      kind: 'response',
      values: { NewConnectionStatus: 'Connected', NewLastConnectionError: 'ERROR_NONE', NewUptime: '592' },
    });
  });

  it('keeps the empty external IP of miniupnpd with a reserved WAN address as ""', () => {
    const body = renderSoapResponse(WANIP2, 'GetExternalIPAddress', { NewExternalIPAddress: '' });
    expect(body).toContain('<NewExternalIPAddress></NewExternalIPAddress>');
    expect(parseSoapResponse(body, 'GetExternalIPAddress')).toEqual({
      kind: 'response',
      values: { NewExternalIPAddress: '' },
    });
  });

  it('reads the UPnPError code and description of a fault', () => {
    expect(parseSoapResponse(renderSoapFault(713, 'SpecifiedArrayIndexInvalid'), 'GetGenericPortMappingEntry')).toEqual(
      { kind: 'fault', code: 713, description: 'SpecifiedArrayIndexInvalid' },
    );
    expect(parseSoapResponse(renderSoapFault(718, 'ConflictInMappingEntry'), 'AddPortMapping')).toMatchObject({
      code: 718,
    });
    const bare =
      '<s:Envelope xmlns:s="x"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>Internal</faultstring></s:Fault></s:Body></s:Envelope>';
    expect(parseSoapResponse(bare, 'X')).toEqual({ kind: 'fault', description: 'Internal' });
    const named =
      '<s:Envelope xmlns:s="x"><s:Body><s:Fault><detail><UPnPError><errorCode>606</errorCode></UPnPError></detail></s:Fault></s:Body></s:Envelope>';
    expect(parseSoapResponse(named, 'X')).toEqual({ kind: 'fault', code: 606, description: 'ActionNotAuthorized' });
  });

  it('calls truncated, HTML and wrong documents invalid', () => {
    const full = renderSoapResponse(WANIP2, 'GetExternalIPAddress', { NewExternalIPAddress: '84.1.1.2' });
    expect(parseSoapResponse(full.slice(0, full.length - 40), 'GetExternalIPAddress').kind).toBe('invalid');
    expect(parseSoapResponse('<html><body>Login</body></html>', 'GetExternalIPAddress').kind).toBe('invalid');
    expect(parseSoapResponse('<root/>', 'GetExternalIPAddress')).toEqual({
      kind: 'invalid',
      reason: 'no SOAP Envelope/Body',
    });
    expect(parseSoapResponse(renderSoapResponse(WANIP2, 'GetStatusInfo'), 'GetExternalIPAddress').kind).toBe('invalid');
    expect(parseSoapResponse('', 'X').kind).toBe('invalid');
  });

  it('never throws, whatever the bytes (property)', () => {
    const fragments = fc.constantFrom(
      '<s:Envelope>',
      '</s:Envelope>',
      '<s:Body>',
      '</s:Body>',
      '<s:Fault>',
      '<detail>',
      '<UPnPError>',
      '<errorCode>',
      '713',
      '</errorCode>',
      '<u:XResponse>',
      '<A>',
      '</A>',
      '&amp;',
      '<!ENTITY x "y">',
      '<?xml version="1.0"?>',
      '"',
      '<',
      '>',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.array(fragments, { maxLength: 30 }).map((parts) => parts.join('')),
          fc.uint8Array({ maxLength: 500 }),
        ),
        (input) => {
          const result = parseSoapResponse(typeof input === 'string' ? input : Buffer.from(input), 'X');
          expect(['response', 'fault', 'invalid']).toContain(result.kind);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('soapCall (real loopback server)', () => {
  let server: LoopbackServer;
  const seen: { soapAction?: string; contentType?: string; body: string }[] = [];
  beforeAll(async () => {
    server = await startLoopbackServer(async (request, response) => {
      const body = await readRequestBody(request);
      seen.push({
        soapAction: request.headers.soapaction as string,
        contentType: request.headers['content-type'],
        body,
      });
      switch (request.url) {
        case '/ok':
          response.writeHead(200, { 'Content-Type': 'text/xml' });
          return void response.end(
            renderSoapResponse(WANIP2, 'GetExternalIPAddress', { NewExternalIPAddress: '84.1.1.2' }),
          );
        case '/fault':
          response.writeHead(500, { 'Content-Type': 'text/xml' });
          return void response.end(renderSoapFault(606, 'Action not authorized'));
        case '/truncated': {
          // Headers promise more than arrives: the socket closes mid-body.
          const partial = renderSoapResponse(WANIP2, 'GetExternalIPAddress', {
            NewExternalIPAddress: '84.1.1.2',
          }).slice(0, 120);
          response.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': String(partial.length + 100) });
          return void response.write(partial, () => request.socket.destroy());
        }
        case '/cut':
          // Complete HTTP message whose XML stops mid-element.
          response.writeHead(200, { 'Content-Type': 'text/xml' });
          return void response.end(
            renderSoapResponse(WANIP2, 'GetExternalIPAddress', { NewExternalIPAddress: '84.1.1.2' }).slice(0, 200),
          );
        case '/500':
          response.writeHead(500);
          return void response.end('oops');
        case '/hang':
          return;
        default:
          response.writeHead(404);
          response.end();
      }
    });
  });
  afterAll(() => server.close());
  const call = (path: string, timeoutMs = 2000) =>
    soapCall({ controlUrl: `${server.url}${path}`, serviceType: WANIP2, action: 'GetExternalIPAddress', timeoutMs });

  it('sends a quoted SOAPAction and a text/xml envelope, and reads the answer', async () => {
    const result = await call('/ok');
    expect(result).toMatchObject({ kind: 'response', values: { NewExternalIPAddress: '84.1.1.2' } });
    const last = seen.at(-1)!;
    expect(last.soapAction).toBe(`"${WANIP2}#GetExternalIPAddress"`);
    expect(last.contentType).toMatch(/^text\/xml/);
    expect(last.body).toContain('<u:GetExternalIPAddress xmlns:u=');
  });

  it('turns a fault into its UPnP code with the HTTP status', async () => {
    expect(await call('/fault')).toMatchObject({
      kind: 'fault',
      code: 606,
      description: 'Action not authorized',
      httpStatus: 500,
    });
  });

  it('reports truncated and cut answers, bare 500s, hangs and refusals as errors with a phase', async () => {
    expect(await call('/truncated')).toMatchObject({ kind: 'error', error: { phase: 'response' } });
    expect(await call('/cut')).toMatchObject({ kind: 'error', error: { phase: 'response', code: 'EBADRESPONSE' } });
    expect(await call('/500')).toMatchObject({ kind: 'error', error: { phase: 'response', code: 'EHTTPSTATUS' } });
    expect(await call('/hang', 150)).toMatchObject({ kind: 'error', error: { phase: 'timeout', code: 'ETIMEDOUT' } });
    const refused = await soapCall({
      controlUrl: 'http://127.0.0.1:1/ctl',
      serviceType: WANIP2,
      action: 'X',
      timeoutMs: 1000,
    });
    expect(refused).toMatchObject({ kind: 'error', error: { phase: 'connect', code: 'ECONNREFUSED' } });
  });
});
