use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::invoices::figures::invoice_number;
use crate::kernel::{multi_line, parse_money, single_line, FieldErrors};

/// The settings as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirmSettings {
    pub name: String,
    /// The invoices' letterhead ("logo" text); empty: the firm's name.
    pub logo_text: String,
    pub address: String,
    pub timezone: String,
    pub currency: String,
    pub billing_increment_minutes: u32,
    pub invoice_prefix: String,
    pub invoice_number_year: bool,
    pub invoice_number_digits: u32,
    pub payment_terms_days: u32,
    pub tax_rate: Decimal,
    pub tax_label: String,
    pub default_hourly_rate: Option<Decimal>,
    /// Staff see trust ledgers (matters' and clients'); otherwise nothing of trust.
    pub staff_see_trust: bool,
    /// The address the firm's e-mail (invoices, reports) is sent from; empty: the server's.
    pub mail_from: String,
    /// Clients get one e-mail when an invoice of theirs becomes overdue (`invoices::remind`).
    pub overdue_reminders: bool,
}

impl FirmSettings {
    /// `(field, value as shown)`, for the stale-form message and the form's values.
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("logo_text", self.logo_text.clone()),
            ("address", self.address.clone()),
            ("timezone", self.timezone.clone()),
            ("currency", self.currency.clone()),
            (
                "billing_increment_minutes",
                self.billing_increment_minutes.to_string(),
            ),
            ("invoice_prefix", self.invoice_prefix.clone()),
            (
                "invoice_number_year",
                if self.invoice_number_year { "on" } else { "" }.to_string(),
            ),
            (
                "invoice_number_digits",
                self.invoice_number_digits.to_string(),
            ),
            ("payment_terms_days", self.payment_terms_days.to_string()),
            ("tax_rate", self.tax_rate.normalize().to_string()),
            ("tax_label", self.tax_label.clone()),
            (
                "default_hourly_rate",
                self.default_hourly_rate
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
            ),
            (
                "staff_see_trust",
                if self.staff_see_trust { "on" } else { "" }.to_string(),
            ),
            ("mail_from", self.mail_from.clone()),
            (
                "overdue_reminders",
                if self.overdue_reminders { "on" } else { "" }.to_string(),
            ),
        ]
    }

    /// What the next invoice number looks like with these settings.
    pub fn sample_number(&self, year: i32) -> String {
        invoice_number(
            &self.invoice_prefix,
            self.invoice_number_year.then_some(year),
            self.invoice_number_digits,
            1,
        )
    }
}

/// A member of the firm and their default hourly rate (the rate of their time where no matter
/// or client rate applies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRate {
    pub user_id: uuid::Uuid,
    pub name: String,
    pub role: String,
    pub rate: Option<Decimal>,
}

/// The settings page with its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsPage {
    pub settings: FirmSettings,
    pub members: Vec<MemberRate>,
    pub version: i32,
    pub year: i32,
}

/// A member's rate form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateForm {
    #[serde(default)]
    pub rate: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub logo_text: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub billing_increment_minutes: String,
    #[serde(default)]
    pub invoice_prefix: String,
    /// A checkbox: "on" when ticked, absent when not.
    #[serde(default)]
    pub invoice_number_year: Option<String>,
    #[serde(default)]
    pub invoice_number_digits: String,
    #[serde(default)]
    pub payment_terms_days: String,
    #[serde(default)]
    pub tax_rate: String,
    #[serde(default)]
    pub tax_label: String,
    #[serde(default)]
    pub default_hourly_rate: String,
    /// A checkbox, like `invoice_number_year`.
    #[serde(default)]
    pub staff_see_trust: Option<String>,
    #[serde(default)]
    pub mail_from: String,
    /// A checkbox.
    #[serde(default)]
    pub overdue_reminders: Option<String>,
}

fn number_in(e: &mut FieldErrors, field: &str, s: &str, lo: u32, hi: u32, what: &str) -> u32 {
    match s.trim().parse::<u32>() {
        Ok(n) if (lo..=hi).contains(&n) => n,
        _ => {
            e.add(field, format!("Enter {what} from {lo} to {hi}."));
            lo
        }
    }
}

impl SettingsForm {
    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("name", &self.name),
            ("logo_text", &self.logo_text),
            ("address", &self.address),
            ("timezone", &self.timezone),
            ("currency", &self.currency),
            ("billing_increment_minutes", &self.billing_increment_minutes),
            ("invoice_prefix", &self.invoice_prefix),
            ("invoice_number_digits", &self.invoice_number_digits),
            ("payment_terms_days", &self.payment_terms_days),
            ("tax_rate", &self.tax_rate),
            ("tax_label", &self.tax_label),
            ("default_hourly_rate", &self.default_hourly_rate),
            ("mail_from", &self.mail_from),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .chain([
            (
                "invoice_number_year".to_string(),
                self.invoice_number_year.clone().unwrap_or_default(),
            ),
            (
                "staff_see_trust".to_string(),
                self.staff_see_trust.clone().unwrap_or_default(),
            ),
            (
                "overdue_reminders".to_string(),
                self.overdue_reminders.clone().unwrap_or_default(),
            ),
        ])
        .collect()
    }

    /// Check everything the form can check alone (the time zone is checked against the
    /// database's list by the server).
    pub fn validate(&self) -> Result<FirmSettings, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.required_text(
            "name",
            single_line(&self.name),
            "Enter the firm's name.",
            200,
        );
        let logo_text = e
            .check("logo_text", single_line(&self.logo_text))
            .unwrap_or_default();
        if logo_text.chars().count() > 80 {
            e.add("logo_text", "Use at most 80 characters.");
        }
        let address = e
            .check("address", multi_line(&self.address))
            .unwrap_or_default();
        if address.chars().count() > 500 {
            e.add("address", "Use at most 500 characters.");
        }
        let timezone = self.timezone.trim().to_string();
        if timezone.is_empty()
            || timezone.len() > 64
            || !timezone
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
        {
            e.add("timezone", "Enter a time zone such as America/New_York.");
        }
        let currency = self.currency.trim().to_ascii_uppercase();
        if !(currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase())) {
            e.add(
                "currency",
                "Enter a three-letter currency code such as USD.",
            );
        }
        let increment = number_in(
            &mut e,
            "billing_increment_minutes",
            &self.billing_increment_minutes,
            1,
            60,
            "minutes",
        );
        let prefix = self.invoice_prefix.trim().to_string();
        if prefix.chars().count() > 8
            || !prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
        {
            e.add("invoice_prefix", "Up to 8 letters, digits or / . _ -");
        }
        let digits = number_in(
            &mut e,
            "invoice_number_digits",
            &self.invoice_number_digits,
            1,
            7,
            "a number of digits",
        );
        let terms = number_in(
            &mut e,
            "payment_terms_days",
            &self.payment_terms_days,
            0,
            365,
            "days",
        );
        let tax_rate =
            match Decimal::from_str_exact(self.tax_rate.trim().trim_end_matches('%').trim()) {
                Ok(t) if t >= Decimal::ZERO && t <= Decimal::ONE_HUNDRED && t.scale() <= 3 => t,
                _ if self.tax_rate.trim().is_empty() => Decimal::ZERO,
                _ => {
                    e.add(
                        "tax_rate",
                        "Enter a percentage from 0 to 100, such as 8.875.",
                    );
                    Decimal::ZERO
                }
            };
        let tax_label = e.required_text(
            "tax_label",
            single_line(&self.tax_label),
            "Enter the tax's name, such as Sales tax.",
            40,
        );
        let rate = match parse_money(&self.default_hourly_rate, &currency) {
            Ok(r) => r,
            Err(m) => {
                e.add("default_hourly_rate", m);
                None
            }
        };
        let mail_from = self.mail_from.trim().to_lowercase();
        if !mail_from.is_empty() && !crate::team::invite::valid_email(&mail_from) {
            e.add(
                "mail_from",
                "Enter an e-mail address such as billing@yourfirm.com, or leave it empty.",
            );
        }
        e.into_result(|| FirmSettings {
            name,
            logo_text,
            address,
            timezone,
            currency,
            billing_increment_minutes: increment,
            invoice_prefix: prefix,
            invoice_number_year: self
                .invoice_number_year
                .as_deref()
                .is_some_and(|v| !v.is_empty()),
            invoice_number_digits: digits,
            payment_terms_days: terms,
            tax_rate: tax_rate.normalize(),
            tax_label,
            default_hourly_rate: rate.map(|r| r.normalize()),
            staff_see_trust: self
                .staff_see_trust
                .as_deref()
                .is_some_and(|v| !v.is_empty()),
            mail_from,
            overdue_reminders: self
                .overdue_reminders
                .as_deref()
                .is_some_and(|v| !v.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm {
            name: "Harbor & Vale LLP".into(),
            logo_text: "HARBOR & VALE".into(),
            address: "1 Main St\nBoston".into(),
            timezone: "America/New_York".into(),
            currency: "usd".into(),
            billing_increment_minutes: "6".into(),
            invoice_prefix: "HV-".into(),
            invoice_number_year: Some("on".into()),
            invoice_number_digits: "5".into(),
            payment_terms_days: "30".into(),
            tax_rate: "8.875%".into(),
            tax_label: "Sales tax".into(),
            default_hourly_rate: "$300".into(),
            staff_see_trust: None,
            mail_from: String::new(),
            overdue_reminders: None,
        }
    }

    #[test]
    fn settings_are_checked_and_numbers_fit_ledes() {
        let s = form().validate().unwrap();
        assert_eq!(s.currency, "USD");
        assert_eq!(s.tax_rate, Decimal::new(8875, 3));
        assert_eq!(s.sample_number(2026), "HV-2026-00001");
        let mut bad = form();
        bad.invoice_prefix = "TOO-LONG-PREFIX".into();
        bad.billing_increment_minutes = "0".into();
        bad.invoice_number_digits = "9".into();
        bad.tax_rate = "101".into();
        bad.currency = "dollars".into();
        bad.name = " ".into();
        bad.logo_text = "X".repeat(81);
        let e = bad.validate().unwrap_err();
        for f in [
            "logo_text",
            "invoice_prefix",
            "billing_increment_minutes",
            "invoice_number_digits",
            "tax_rate",
            "currency",
            "name",
        ] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }
}
