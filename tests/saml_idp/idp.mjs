// A real SAML 2.0 identity provider for the SAML login tests: samlify's
// IdentityProvider (github.com/tngan/samlify), set up as an OIOSAML 3 IdP such as
// KOMBIT's Context Handler would be.
//
//   node idp.mjs <config.json>
//
// Listens on a free loopback port and prints "READY <base URL>" once it serves. The
// config file is read again at every request, so a test changes what the IdP does by
// rewriting it:
//   {"entity_id", "key_file", "cert_file",   the IdP's identity and signing key
//    "sp_metadata",                            our service provider's metadata (XML)
//    "encrypt": true,                          encrypt the assertion to the SP's key
//    "sign_assertion": true,                   sign the assertion (else only the response)
//    "users": {"<login>": {"name_id": ..., "attributes": {"<name>": ["value", ...]}}}}
//
// GET  /metadata   the IdP's metadata (signing certificate, HTTP-Redirect SSO endpoint)
// GET  /sso        the signed AuthnRequest (HTTP-Redirect): its signature is checked
//                  against the SP metadata; answers a login form
// POST /login      login=<login>&ticket=<from the form>: answers the auto-post form
//                  carrying the SAMLResponse to the SP's assertion consumer service
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import * as samlify from 'samlify';

// samlify asks the caller to choose an XML schema validator; the service provider
// under test (pysaml2) validates what it receives, and this IdP reads only our
// AuthnRequest, whose signature it checks.
samlify.setSchemaValidator({ validate: () => Promise.resolve('not validated by the test IdP') });

const [configFile] = process.argv.slice(2);
if (!configFile) {
  console.error('usage: node idp.mjs <config.json>');
  process.exit(2);
}

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const tickets = new Map();

function entities(base) {
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  let spMetadata = config.sp_metadata;
  if (config.sign_assertion === false) {
    // samlify then signs the whole response instead of the assertion.
    spMetadata = spMetadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"');
  }
  const idp = samlify.IdentityProvider({
    entityID: config.entity_id,
    privateKey: readFileSync(config.key_file),
    signingCert: readFileSync(config.cert_file),
    wantAuthnRequestsSigned: true,
    isAssertionEncrypted: config.encrypt !== false,
    singleSignOnService: [
      { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` },
    ],
    nameIDFormat: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
  });
  const sp = samlify.ServiceProvider({ metadata: spMetadata });
  return { config, idp, sp };
}

function attributeStatement(attributes) {
  const items = Object.entries(attributes).map(
    ([name, values]) =>
      `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">` +
      values.map((v) => `<saml:AttributeValue>${escape(v)}</saml:AttributeValue>`).join('') +
      '</saml:Attribute>',
  );
  return `<saml:AttributeStatement>${items.join('')}</saml:AttributeStatement>`;
}

function responseXml({ id, assertionId, issuer, destination, audience, inResponseTo, user }) {
  const now = new Date();
  const later = new Date(now.getTime() + 5 * 60 * 1000).toISOString();
  const instant = now.toISOString();
  return (
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
    `ID="${id}" Version="2.0" IssueInstant="${instant}" Destination="${escape(destination)}" InResponseTo="${escape(inResponseTo)}">` +
    `<saml:Issuer>${escape(issuer)}</saml:Issuer>` +
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
    `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${instant}">` +
    `<saml:Issuer>${escape(issuer)}</saml:Issuer>` +
    '<saml:Subject>' +
    `<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${escape(user.name_id)}</saml:NameID>` +
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
    `<saml:SubjectConfirmationData NotOnOrAfter="${later}" Recipient="${escape(destination)}" InResponseTo="${escape(inResponseTo)}"/>` +
    '</saml:SubjectConfirmation></saml:Subject>' +
    `<saml:Conditions NotBefore="${instant}" NotOnOrAfter="${later}">` +
    `<saml:AudienceRestriction><saml:Audience>${escape(audience)}</saml:Audience></saml:AudienceRestriction>` +
    '</saml:Conditions>' +
    `<saml:AuthnStatement AuthnInstant="${instant}" SessionIndex="${assertionId}">` +
    '<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>' +
    '</saml:AuthnStatement>' +
    attributeStatement(user.attributes || {}) +
    '</saml:Assertion></samlp:Response>'
  );
}

async function readBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function handle(req, res, base) {
  const url = new URL(req.url, base);
  const { config, idp, sp } = entities(base);
  if (url.pathname === '/favicon.ico') {
    // A browser asks for it; a 404 would count as a page error in the browser tests.
    res.writeHead(204);
    return res.end();
  }
  if (req.method === 'GET' && url.pathname === '/metadata') {
    res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml' });
    return res.end(idp.getMetadata());
  }
  if (req.method === 'GET' && url.pathname === '/sso') {
    const raw = req.url.split('?')[1] || '';
    // The signed octets: the query as sent, without the signature (SAML bindings 3.4.4.1).
    const octetString = raw.split('&').filter((part) => !part.startsWith('Signature=')).join('&');
    const query = Object.fromEntries(url.searchParams);
    const { extract } = await idp.parseLoginRequest(sp, 'redirect', { query, octetString });
    const ticket = randomUUID();
    tickets.set(ticket, { extract, relayState: query.RelayState || '' });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(
      `<form method="post" action="${base}/login"><input type="hidden" name="ticket" value="${ticket}">` +
        '<label>Bruger <input name="login"></label><button>Log ind</button></form>',
    );
  }
  if (req.method === 'POST' && url.pathname === '/login') {
    const form = await readBody(req);
    const pending = tickets.get(form.get('ticket'));
    const user = (config.users || {})[form.get('login')];
    if (!pending || !user) {
      res.writeHead(403);
      return res.end('unknown ticket or user');
    }
    tickets.delete(form.get('ticket'));
    const destination = sp.entityMeta.getAssertionConsumerService('post');
    const { context, entityEndpoint } = await idp.createLoginResponse(
      sp,
      { extract: pending.extract },
      'post',
      {},
      (template) => {
        const id = `_${randomUUID()}`;
        return {
          id,
          context: responseXml({
            id,
            assertionId: `_${randomUUID()}`,
            issuer: config.entity_id,
            destination,
            audience: sp.entityMeta.getEntityID(),
            inResponseTo: pending.extract.request.id,
            user,
          }),
        };
      },
    );
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(
      `<form method="post" action="${escape(entityEndpoint)}">` +
        `<input type="hidden" name="SAMLResponse" value="${escape(context)}">` +
        `<input type="hidden" name="RelayState" value="${escape(pending.relayState)}">` +
        '<button>Fortsæt</button></form>',
    );
  }
  res.writeHead(404);
  res.end('not found');
}

const server = createServer((req, res) => {
  const base = `http://127.0.0.1:${server.address().port}`;
  handle(req, res, base).catch((error) => {
    console.error(error);
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end(`refused: ${error && error.message ? error.message : error}`);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`READY http://127.0.0.1:${server.address().port}`);
});
