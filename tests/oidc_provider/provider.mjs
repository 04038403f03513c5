// A real OpenID Connect provider for the SSO tests: panva's oidc-provider (OpenID
// certified), configured as a standards-conforming kommune IdP would be.
//
//   node provider.mjs <accounts.json> <client_id> <client_secret> <redirect_uri>
//
// Listens on a free loopback port and prints "READY <issuer>" once it serves. Accounts
// are read from <accounts.json> at every sign-in ({"<sub>": {"email": ..., ...}}), so a
// test changes what the provider says about a person by rewriting the file.
//
// What the tests rely on:
// * The claims of the "email" and "profile" scopes go to the UserInfo endpoint only, not
//   into the ID token (conformIdTokenClaims, OpenID Connect Core 5.4 for response_type
//   "code"): a relying party that reads only the ID token finds no e-mail.
// * PKCE is required for every client, so an authorization request without an S256
//   code_challenge, or a token request without the matching code_verifier, is refused.
// * The development interactions sign in whoever is typed as "login" (the account's
//   sub) and ask for consent with one button; the tests post those forms.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const [accountsFile, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!redirectUri) {
  console.error('usage: node provider.mjs <accounts.json> <client_id> <client_secret> <redirect_uri>');
  process.exit(2);
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    conformIdTokenClaims: true,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    async findAccount(ctx, sub) {
      const accounts = JSON.parse(readFileSync(accountsFile, 'utf8'));
      const account = accounts[sub];
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
    features: { devInteractions: { enabled: true } },
  });
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  server.on('request', provider.callback());
  console.log(`READY ${issuer}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
