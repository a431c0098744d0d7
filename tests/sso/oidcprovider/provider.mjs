// The municipality's identity provider in the SSO tests: panva's oidc-provider (OpenID
// Certified), configured from the environment by tests/sso/provider.py.
//   OIDC_PORT     port on 127.0.0.1
//   OIDC_CLIENTS  JSON list of clients ({client_id, client_secret, redirect_uris})
//   OIDC_ACCOUNTS JSON object: login -> claims (email, name, groups); any other login is a
//                 user with only an e-mail address equal to the login
// Groups come with the profile scope, as Entra ID puts them in the ID token unasked.
// The login page is ours (oidc-provider leaves interactions to the host): one field, "login",
// no password; submitting it finishes both the login and the consent.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]').map((c) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...c,
}));

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false,
  cookies: { keys: ['test-only-cookie-key'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const known = accounts[id] || { email: id };
    return {
      accountId: id,
      async claims() {
        return { sub: id, email_verified: true, ...known };
      },
    };
  },
});

function page(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><title>Test IdP</title></head><body>${body}</body></html>`);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    return page(res, 200, `<h1>Test identity provider</h1>
      <form method="post" action="/interaction/${details.uid}">
      <label for="login">Login</label> <input id="login" name="login">
      <button type="submit">Sign in</button></form>`);
  }
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const login = new URLSearchParams(raw).get('login');
  if (!login) return page(res, 400, 'login missing');
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } },
    { mergeWithLastSubmission: false });
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => page(res, 500, String(err)));
  } else {
    callback(req, res);
  }
}).listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
