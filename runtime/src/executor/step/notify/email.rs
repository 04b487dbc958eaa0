//! Email through an SMTP server (lettre on tokio, TLS by rustls as reqwest's). The server is one secret, a URL:
//! `smtp://USER:PASSWORD@HOST:587` sends after STARTTLS and fails when the server offers none (never a silent
//! downgrade), `smtps://...:465` speaks TLS from the start, and only `smtp+insecure://HOST:PORT` sends in the clear,
//! for a relay on the same machine or a test server. Who gets the mail and from whom are the step's plain `to` and
//! `sender`, shown in the plan and to approvers.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::Message;
use super::attempts::{self, Attempt, TIMEOUT};
use crate::provider::Secret;
use crate::provider::args::Args;

/// How the connection is protected, from the URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtp://`: STARTTLS, required.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp+insecure://`: none, as the URL says.
    None,
}

/// The mail server as the `smtp` secret gives it.
#[derive(Debug, PartialEq)]
struct Server {
    security: Security,
    host: String,
    port: u16,
    /// User and password, when the server wants a login.
    login: Option<(String, Secret)>,
}

/// One email delivery: the server, the sender and the recipients.
pub(super) struct Email {
    server: Server,
    sender: Mailbox,
    to: Vec<Mailbox>,
}

impl Email {
    /// From the step's `smtp` secret and its `to` and `sender` arguments; why they do not make an email.
    pub(super) fn new(smtp: &Secret, args: &BTreeMap<String, Value>) -> Result<Email, String> {
        let server = Server::parse(smtp.expose())?;
        let mailbox = |address: &str, what: &str| {
            address
                .parse::<Mailbox>()
                .map_err(|error| format!("`{what}` has an address that is not one ({address:?}: {error})"))
        };
        let read = Args(args);
        let sender = match read.opt_str("sender").map_err(|error| error.to_string())? {
            Some(sender) => mailbox(sender, "sender")?,
            None => return Err("email through `smtp` needs a `sender`".into()),
        };
        let to = read.strings("to").map_err(|error| error.to_string())?;
        let to = to.iter().map(|address| mailbox(address, "to")).collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err("email through `smtp` needs recipients in `to`".into());
        }
        Ok(Email { server, sender, to })
    }

    /// Sends `message`, trying again on what may pass; why it was not delivered, without the server's address or
    /// the password.
    pub(super) async fn deliver(&self, message: &Message) -> Result<(), String> {
        let mail = self.mail(message)?;
        let transport = self.server.transport()?;
        attempts::deliver(|| async {
            match transport.send(mail.clone()).await {
                Ok(_) => Attempt::Delivered,
                Err(error) => {
                    let why = format!("the mail server: {error}");
                    let may_pass = error.is_transient()
                        || error.is_timeout()
                        || !(error.is_permanent() || error.is_tls() || error.is_client() || error.is_response());
                    if may_pass { Attempt::Retry(why) } else { Attempt::Refused(why) }
                }
            }
        })
        .await
    }

    fn mail(&self, message: &Message) -> Result<lettre::Message, String> {
        let subject = message.subject.clone().unwrap_or_else(|| format!("{}: {}", message.playbook, message.channel));
        let body = format!(
            "{}\n\n-- \nEscher run {}, playbook {}, step {}, channel {}, at {}\n",
            message.text, message.run_id, message.playbook, message.step, message.channel, message.time
        );
        let mut builder = lettre::Message::builder().from(self.sender.clone()).subject(subject);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|error| format!("the email cannot be written: {error}"))
    }
}

impl Server {
    /// Reads `smtp://`, `smtps://` or `smtp+insecure://[USER[:PASSWORD]@]HOST[:PORT]`; errors never repeat the URL.
    fn parse(text: &str) -> Result<Server, String> {
        const FORMS: &str = "smtp://USER:PASSWORD@HOST:587 (STARTTLS), smtps://USER:PASSWORD@HOST:465 (TLS) or \
                             smtp+insecure://HOST:PORT (no TLS)";
        let url = reqwest::Url::parse(text)
            .map_err(|error| format!("the `smtp` secret is not a URL ({error}); write {FORMS}"))?;
        let (security, default_port) = match url.scheme() {
            "smtp" => (Security::StartTls, 587),
            "smtps" => (Security::Implicit, 465),
            "smtp+insecure" => (Security::None, 25),
            other => return Err(format!("the `smtp` secret's scheme is `{other}`; write {FORMS}")),
        };
        let host = match url.host_str() {
            Some(host) if !host.is_empty() => host.trim_start_matches('[').trim_end_matches(']').to_string(),
            _ => return Err(format!("the `smtp` secret names no server; write {FORMS}")),
        };
        if url.query().is_some() || !matches!(url.path(), "" | "/") {
            return Err(format!(
                "the `smtp` secret has a path or query, which it does not take (TLS is chosen by the scheme, \
                 recipients and sender are the step's `to` and `sender`); write {FORMS}"
            ));
        }
        let login = match (decode(url.username()), url.password().map(decode)) {
            (user, _) if user.is_empty() => None,
            (user, password) => Some((user, Secret::new(password.unwrap_or_default()))),
        };
        Ok(Server { security, host, port: url.port().unwrap_or(default_port), login })
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let tls =
            || TlsParameters::new(self.host.clone()).map_err(|error| format!("no TLS for the mail server: {error}"));
        let tls = match self.security {
            Security::StartTls => Tls::Required(tls()?),
            Security::Implicit => Tls::Wrapper(tls()?),
            Security::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
            .port(self.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let Some((user, password)) = &self.login {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
        }
        Ok(builder.build())
    }
}

/// A URL's user or password with its `%XX` escapes decoded (a password may hold `@` or `:`).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(server: &Server) -> Option<(&str, &str)> {
        server.login.as_ref().map(|(user, password)| (user.as_str(), password.expose()))
    }

    #[test]
    fn the_scheme_says_how_the_connection_is_protected_and_the_port_defaults_by_it() {
        let starttls = Server::parse("smtp://ops%40acme.com:p%40ss:word@mail.acme.com").expect("a server");
        assert_eq!(
            (starttls.security, starttls.host.as_str(), starttls.port),
            (Security::StartTls, "mail.acme.com", 587)
        );
        assert_eq!(login(&starttls), Some(("ops@acme.com", "p@ss:word")));
        let implicit = Server::parse("smtps://u:p@mail.acme.com").expect("a server");
        assert_eq!((implicit.security, implicit.port), (Security::Implicit, 465));
        let insecure = Server::parse("smtp+insecure://127.0.0.1:2525").expect("a server");
        assert_eq!((insecure.security, insecure.port, login(&insecure)), (Security::None, 2525, None));
    }

    #[test]
    fn anything_but_the_three_forms_is_refused_without_repeating_the_secret() {
        for (url, says) in [
            ("http://u:hunter2@mail.acme.com", "scheme is `http`"),
            ("smtp://u:hunter2@mail.acme.com:587?tls=none", "path or query"),
            ("smtp://u:hunter2@mail.acme.com/inbox", "path or query"),
            ("mail.acme.com:hunter2", "scheme"),
            ("not a url hunter2", "not a URL"),
        ] {
            let error = Server::parse(url).expect_err(url);
            assert!(error.contains(says), "{url}: {error}");
            assert!(!error.contains("hunter2"), "the error repeats the secret: {error}");
        }
    }
}
