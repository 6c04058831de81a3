//! `caisse fingerprint CERT.pem`: the SSL-pinning fingerprint Intech asks merchants for, the
//! base64 of the SHA-256 of the certificate's DER SubjectPublicKeyInfo (RFC 7469 "pin-sha256").
//! It is the value this pipeline prints:
//!
//! ```text
//! openssl x509 -pubkey -noout -in cert.pem | openssl pkey -pubin -outform der \
//!   | openssl dgst -sha256 -binary | openssl enc -base64
//! ```
//!
//! The PEM blocks are read by rustls' own PEM reader (already a dependency), the certificate by
//! `x509-cert`, which accepts v1 certificates and unknown critical extensions: pinning only needs
//! the key, not a certificate rustls would trust.

use std::io::ErrorKind;
use std::path::PathBuf;

use clap::Args;
use rustls::pki_types::pem::{self, SectionKind};
use x509_cert::Certificate;
use x509_cert::der::{Decode, ErrorKind as DerErrorKind};

use super::Failure;

#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// Certificat au format PEM (« -----BEGIN CERTIFICATE----- ») ; pour une chaîne, seul le
    /// premier certificat compte.
    #[arg(value_name = "CERTIFICAT.pem")]
    pub cert: PathBuf,
}

/// The SHA-256 of a certificate's public key (its DER SubjectPublicKeyInfo), in the two forms
/// pinning tools show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Base64 of the 32 bytes: what Intech asks for.
    pub base64: String,
    /// The same 32 bytes as colon-separated uppercase hex, `AB:CD:…`.
    pub hex: String,
    /// The certificate's subject (RFC 4514), to check it is the right one.
    pub subject: String,
    /// How many certificates followed the first one in the file (a chain): not used.
    pub ignored_certificates: usize,
}

/// The fingerprint of the first certificate of a PEM text. Errors are French sentences for the
/// shop owner.
pub fn spki_sha256(pem: &str) -> Result<Fingerprint, String> {
    if pem.trim().is_empty() {
        return Err("le fichier est vide : il faut le certificat au format PEM \
                    (« -----BEGIN CERTIFICATE----- »)."
            .into());
    }
    let mut reader = pem.as_bytes();
    let mut first: Option<Vec<u8>> = None;
    let mut ignored_certificates = 0;
    let mut private_key = false;
    let mut other_blocks = false;
    loop {
        match pem::from_buf(&mut reader) {
            Ok(Some((SectionKind::Certificate, der))) => {
                if first.is_none() {
                    first = Some(der);
                } else {
                    ignored_certificates += 1;
                }
            }
            Ok(Some((
                SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey,
                _,
            ))) => private_key = true,
            Ok(Some(_)) => other_blocks = true,
            Ok(None) => break,
            Err(e) => return Err(pem_error(&e)),
        }
    }
    let Some(der) = first else {
        return Err(if private_key {
            "ce fichier ne contient pas de certificat mais une clé privée : donnez le fichier \
             du certificat (« -----BEGIN CERTIFICATE----- »), et ne transmettez jamais la clé \
             privée."
                .into()
        } else if other_blocks || pem.contains("-----BEGIN ") {
            "aucun certificat dans ce fichier PEM : il faut un bloc « -----BEGIN CERTIFICATE----- »."
                .into()
        } else {
            "ce n'est pas un fichier PEM : aucune ligne « -----BEGIN CERTIFICATE----- ». \
             Pour un certificat binaire (.der, .cer), convertissez-le d'abord : \
             openssl x509 -inform der -in FICHIER.der -out certificat.pem"
                .into()
        });
    };
    let cert = Certificate::from_der(&der).map_err(|e| match e.kind() {
        DerErrorKind::Incomplete { .. } => {
            format!("le certificat est tronqué, il manque des octets (détail : {e}).")
        }
        _ => format!("le certificat est illisible, ce n'est pas du X.509 valide (détail : {e})."),
    })?;
    let spki = cert.tbs_certificate().subject_public_key_info();
    let unreadable_key = |e: x509_cert::spki::Error| {
        format!("la clé publique du certificat est illisible (détail : {e}).")
    };
    let bytes = spki.fingerprint_bytes().map_err(unreadable_key)?;
    let base64 = spki.fingerprint_base64().map_err(unreadable_key)?;
    let hex = bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    Ok(Fingerprint {
        base64,
        hex,
        subject: cert.tbs_certificate().subject().to_string(),
        ignored_certificates,
    })
}

fn pem_error(e: &pem::Error) -> String {
    match e {
        pem::Error::MissingSectionEnd { .. } => {
            "le fichier PEM est coupé : un bloc « -----BEGIN … » n'a pas sa ligne « -----END … »."
                .into()
        }
        pem::Error::IllegalSectionStart { .. } => {
            "le fichier PEM est abîmé : une ligne « -----BEGIN … » est mal formée.".into()
        }
        pem::Error::Base64Decode(_) => {
            "le fichier PEM est abîmé : le contenu d'un bloc n'est pas du base64 valide.".into()
        }
        other => format!("le fichier PEM est illisible (détail : {other})."),
    }
}

/// `caisse fingerprint CERT.pem`: prints the fingerprint on stdout; a chain's other
/// certificates are mentioned on stderr. Every error is bad input (exit 2).
pub fn run(args: &FingerprintArgs) -> Result<(), Failure> {
    let path = args.cert.display();
    let bytes = std::fs::read(&args.cert).map_err(|e| {
        Failure::bad_input(match e.kind() {
            ErrorKind::NotFound => format!("fichier introuvable : {path}"),
            ErrorKind::PermissionDenied => format!("lecture de {path} refusée (permissions)."),
            ErrorKind::IsADirectory => format!("{path} est un dossier, pas un certificat."),
            _ => format!("impossible de lire {path} : {e}"),
        })
    })?;
    let fingerprint = spki_sha256(&String::from_utf8_lossy(&bytes))
        .map_err(|message| Failure::bad_input(format!("{path} : {message}")))?;
    let others = match fingerprint.ignored_certificates {
        0 => None,
        1 => Some("l'autre a été ignoré".to_owned()),
        n => Some(format!("les {n} autres ont été ignorés")),
    };
    if let Some(others) = others {
        eprintln!(
            "Remarque : {path} contient une chaîne de certificats ; seul le premier ({}) a été \
             utilisé, {others}.",
            fingerprint.subject
        );
    }
    println!("Empreinte SHA-256 de la clé publique (à transmettre à Intech) :");
    println!("{}", fingerprint.base64);
    println!("En hexadécimal : {}", fingerprint.hex);
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The fixtures and expected values come from openssl, run once; the commands are in
    //! `tests/fixtures/certs/README.md`, e.g. for rsa.pem:
    //!
    //! ```text
    //! openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.pem -days 3650 \
    //!   -subj "/C=SN/O=Boutique Test/CN=rsa.caisse.test"
    //! openssl x509 -pubkey -noout -in rsa.pem | openssl pkey -pubin -outform der \
    //!   | openssl dgst -sha256 -binary | openssl enc -base64
    //! ```

    use super::*;

    const RSA: &str = include_str!("../../tests/fixtures/certs/rsa.pem");
    const EC: &str = include_str!("../../tests/fixtures/certs/ec.pem");
    const CHAIN: &str = include_str!("../../tests/fixtures/certs/chain.pem");
    const EXPECTED: &str = include_str!("../../tests/fixtures/certs/expected.txt");

    const RSA_B64: &str = "ENdigMjsA7/3vzJnw86tIFmU9CBo4/AK6bYFpet40tw=";
    const RSA_HEX: &str = "10:D7:62:80:C8:EC:03:BF:F7:BF:32:67:C3:CE:AD:20:\
                           59:94:F4:20:68:E3:F0:0A:E9:B6:05:A5:EB:78:D2:DC";
    const EC_B64: &str = "vLVPkSLz0/zwsErPpetoxF85uQYBg+MaR1VKD1o60fk=";
    const EC_HEX: &str = "BC:B5:4F:91:22:F3:D3:FC:F0:B0:4A:CF:A5:EB:68:C4:\
                          5F:39:B9:06:01:83:E3:1A:47:55:4A:0F:5A:3A:D1:F9";
    /// The chain's first certificate: an EC P-256 leaf, X.509 v1, signed by an RSA CA.
    const LEAF_B64: &str = "NZ5jP54OPAaoJ6m/BInsf4gkGVcQsukxvAPuUpljTAo=";
    const LEAF_HEX: &str = "35:9E:63:3F:9E:0E:3C:06:A8:27:A9:BF:04:89:EC:7F:\
                            88:24:19:57:10:B2:E9:31:BC:03:EE:52:99:63:4C:0A";
    /// The chain's second certificate (the CA): never the answer.
    const CA_B64: &str = "5vVZMNt8L5+UODf/SwWITrrch2teQS72vfGbbmDeczg=";

    fn err(pem: &str) -> String {
        spki_sha256(pem).expect_err("must be refused")
    }

    /// The body lines of the first block of `pem`, between BEGIN and END.
    fn body(pem: &str) -> Vec<&str> {
        pem.lines()
            .skip(1)
            .take_while(|l| !l.starts_with("-----END"))
            .collect()
    }

    fn wrap(label: &str, lines: &[&str]) -> String {
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn fingerprint_of_an_rsa_certificate_matches_openssl() {
        let fp = spki_sha256(RSA).unwrap();
        assert_eq!(fp.base64, RSA_B64);
        assert_eq!(fp.hex, RSA_HEX);
        assert_eq!(fp.ignored_certificates, 0);
        assert!(fp.subject.contains("CN=rsa.caisse.test"), "{}", fp.subject);
    }

    #[test]
    fn fingerprint_of_an_ec_p256_certificate_matches_openssl() {
        let fp = spki_sha256(EC).unwrap();
        assert_eq!(fp.base64, EC_B64);
        assert_eq!(fp.hex, EC_HEX);
        assert_eq!(fp.ignored_certificates, 0);
    }

    #[test]
    fn fingerprint_of_a_chain_uses_the_first_certificate() {
        let fp = spki_sha256(CHAIN).unwrap();
        assert_eq!(fp.base64, LEAF_B64);
        assert_eq!(fp.hex, LEAF_HEX);
        assert_ne!(fp.base64, CA_B64);
        assert_eq!(fp.ignored_certificates, 1);
        assert!(
            fp.subject.contains("CN=callback.caisse.test"),
            "{}",
            fp.subject
        );
    }

    #[test]
    fn fingerprint_expected_txt_agrees_with_the_tests() {
        let listed: Vec<(&str, &str)> = EXPECTED
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once(char::is_whitespace))
            .map(|(file, value)| (file, value.trim()))
            .collect();
        for pair in [
            ("rsa.pem", RSA_B64),
            ("ec.pem", EC_B64),
            ("chain.pem", LEAF_B64),
            ("chain.pem#2", CA_B64),
            ("rsa.pem", RSA_HEX),
            ("ec.pem", EC_HEX),
            ("chain.pem", LEAF_HEX),
        ] {
            assert!(listed.contains(&pair), "{pair:?} not in expected.txt");
        }
    }

    #[test]
    fn fingerprint_tolerates_crlf_text_around_and_other_blocks() {
        let crlf = RSA.replace('\n', "\r\n");
        assert_eq!(spki_sha256(&crlf).unwrap().base64, RSA_B64);
        // `openssl x509 -text` output before the block, and a key block before the certificate.
        let noisy = format!(
            "Certificate:\n    Data: ...\n{}{EC}",
            wrap("PRIVATE KEY", &["MAA="])
        );
        assert_eq!(spki_sha256(&noisy).unwrap().base64, EC_B64);
    }

    #[test]
    fn fingerprint_refuses_an_empty_file() {
        assert!(err("").contains("vide"));
        assert!(err(" \n\n").contains("vide"));
    }

    #[test]
    fn fingerprint_refuses_text_that_is_not_pem() {
        let e = err("bonjour, voici mon certificat\n");
        assert!(e.contains("pas un fichier PEM"), "{e}");
        assert!(e.contains("openssl x509 -inform der"), "{e}");
        // The DER bytes of a certificate, read as text, are not PEM either.
        let binary = String::from_utf8_lossy(&[0x30, 0x82, 0x04, 0xc9, 0x30, 0x82]).into_owned();
        assert!(err(&binary).contains("pas un fichier PEM"));
    }

    #[test]
    fn fingerprint_refuses_a_private_key_alone_and_says_not_to_share_it() {
        let e = err(&wrap("PRIVATE KEY", &["MAA="]));
        assert!(e.contains("clé privée"), "{e}");
        assert!(e.contains("ne transmettez jamais"), "{e}");
        assert!(err(&wrap("EC PRIVATE KEY", &["MAA="])).contains("clé privée"));
    }

    #[test]
    fn fingerprint_refuses_pem_without_a_certificate_block() {
        let e = err(&wrap("PUBLIC KEY", &["MAA="]));
        assert!(e.contains("aucun certificat"), "{e}");
        let e = err(&wrap("TRUSTED CERTIFICATE", &body(RSA)));
        assert!(e.contains("aucun certificat"), "{e}");
    }

    #[test]
    fn fingerprint_refuses_truncated_or_garbled_der() {
        // The first 5 lines of base64: 240 bytes of a 1229-byte certificate.
        let lines = body(RSA);
        let e = err(&wrap("CERTIFICATE", &lines[..5]));
        assert!(e.contains("tronqué"), "{e}");
        // The outer SEQUENCE tag (0x30, "M") becomes 0x34.
        let mut garbled: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        garbled[0].replace_range(0..1, "N");
        let garbled: Vec<&str> = garbled.iter().map(String::as_str).collect();
        let e = err(&wrap("CERTIFICATE", &garbled));
        assert!(e.contains("illisible"), "{e}");
        // A DER value that is not a certificate at all: an empty SEQUENCE (der calls it
        // incomplete: the fields are missing).
        let e = err(&wrap("CERTIFICATE", &["MAA="]));
        assert!(e.starts_with("le certificat est "), "{e}");
        // Trailing bytes after the certificate.
        let mut extra = lines.clone();
        extra.push("AAAA");
        let e = err(&wrap("CERTIFICATE", &extra));
        assert!(e.contains("illisible"), "{e}");
    }

    #[test]
    fn fingerprint_refuses_broken_pem() {
        let mut cut = wrap("CERTIFICATE", &body(RSA));
        cut.truncate(cut.find("-----END").unwrap());
        assert!(err(&cut).contains("coupé"));
        let e = err(&wrap("CERTIFICATE", &["@@@@ pas du base64 @@@@"]));
        assert!(e.contains("base64"), "{e}");
    }
}
