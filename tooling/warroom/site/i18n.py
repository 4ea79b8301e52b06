"""UI strings and date, number and duration formats, per language.

Formats are written out here rather than taken from the system locale, so a build gives the
same bytes on every machine. Keys are dotted names; every language has every key (a test
checks it), and a missing key raises instead of showing the key to the public.
"""

from __future__ import annotations

import datetime as dt
import math
from datetime import timedelta, tzinfo
from functools import cache

from markupsafe import Markup, escape

_EN = {
    "skip": "Skip to content",
    "nav.label": "Site",
    "nav.status": "Status",
    "nav.history": "History",
    "nav.maintenance": "Maintenance",
    "nav.availability": "Availability",
    "nav.metrics": "SLA and metrics",
    "indicator.none": "All systems operational",
    "indicator.minor": "Minor service disruption",
    "indicator.major": "Partial system outage",
    "indicator.critical": "Major service outage",
    "indicator.maintenance": "Maintenance in progress",
    "component.operational": "Operational",
    "component.degraded_performance": "Degraded performance",
    "component.partial_outage": "Partial outage",
    "component.major_outage": "Major outage",
    "component.under_maintenance": "Under maintenance",
    "status.investigating": "Investigating",
    "status.identified": "Identified",
    "status.monitoring": "Monitoring",
    "status.resolved": "Resolved",
    "status.canceled": "Canceled",
    "status.scheduled": "Scheduled",
    "status.in_progress": "In progress",
    "status.completed": "Completed",
    "impact.none": "No impact",
    "impact.minor": "Minor",
    "impact.major": "Major",
    "impact.critical": "Critical",
    "type.outage": "Outage",
    "type.degradation": "Degradation",
    "type.network": "Network",
    "type.bug": "Bug",
    "type.security": "Security",
    "type.data-loss": "Data loss",
    "type.maintenance": "Maintenance",
    "home.title": "Current status",
    "home.active": "Active incidents",
    "home.maintenance_active": "Maintenance in progress",
    "home.maintenance_upcoming": "Upcoming maintenance",
    "home.components": "Components",
    "home.latest": "Latest update",
    "home.history_link": "See every past incident",
    "home.subscribe": "Subscribe",
    "home.subscribe_text": "Follow incidents in a feed reader, add maintenance to a calendar "
                           "or read the status as JSON.",
    "home.generated": "Status as of {when}.",
    "uptime.percent": "{percent} uptime over the last {days} days",
    "uptime.details": "Daily uptime of {name}",
    "uptime.all_days": "Every one of the last {days} days was fully up.",
    "uptime.other_days": "{count} other days in the last {days} were fully up.",
    "uptime.day": "Day (UTC)",
    "uptime.value": "Uptime",
    "uptime.incidents": "Incidents",
    "uptime.none": "none",
    "uptime.more": "and {count} more",
    "uptime.method": "Uptime is counted per UTC day from incident impact windows: a major "
                     "outage counts {major} of its time as down, a partial outage {partial}, "
                     "degraded performance {degraded}; maintenance is excluded.",
    "uptime.from_to": "From {first} to {last}",
    "incident.impact": "Impact",
    "incident.type": "Type",
    "incident.status": "Status",
    "incident.components": "Affected components",
    "incident.started": "Started",
    "incident.ended": "Ended",
    "incident.duration": "Duration",
    "incident.ongoing": "Ongoing for {span}",
    "incident.window": "Window",
    "incident.window_text": "{start} to {end}",
    "incident.updates": "Updates",
    "incident.no_time": "time not recorded",
    "incident.summary": "Summary",
    "incident.postmortem": "Postmortem",
    "incident.postmortem_link": "Read the full postmortem",
    "incident.action_items": "Action items",
    "incident.action": "Action",
    "incident.action_status": "Status",
    "incident.action_due": "Due",
    "incident.action_owner": "Owner",
    "incident.related": "Related incidents",
    "incident.back": "Back to current status",
    "action.open": "Open",
    "action.in_progress": "In progress",
    "action.done": "Done",
    "action.wont_do": "Won't do",
    "internal.badge": "Internal",
    "internal.drill": "Drill",
    "internal.banner": "Internal build: includes internal incidents and updates. Do not publish.",
    "internal.severity": "Severity",
    "internal.roles": "Roles",
    "internal.links": "Links",
    "internal.clocks": "SLA clocks",
    "internal.dashboard": "SLA clocks of open incidents",
    "internal.dashboard_empty": "No open incident has a clock running.",
    "internal.incident": "Incident",
    "internal.clock_target": "Target",
    "internal.clock_state": "State",
    "internal.clock_due": "Due",
    "internal.clock_used": "Used",
    "internal.no_clocks": "No SLA clocks apply.",
    "internal.author": "by {author}",
    "history.title": "Incident history",
    "history.empty_month": "No incidents reported this month.",
    "history.pages": "History pages",
    "history.newer": "Newer incidents",
    "history.older": "Older incidents",
    "history.page": "Page {page} of {pages}",
    "component.title": "{name}",
    "component.current": "Current status",
    "component.feeds": "Incident feeds for {name}:",
    "component.history": "Incidents affecting {name}",
    "component.no_incidents": "No incidents have affected this component.",
    "maintenance.title": "Scheduled maintenance",
    "maintenance.active": "In progress",
    "maintenance.upcoming": "Upcoming",
    "maintenance.past": "Past maintenance",
    "maintenance.none_active": "No maintenance is in progress.",
    "maintenance.none_upcoming": "No maintenance is scheduled.",
    "maintenance.none_past": "No past maintenance.",
    "maintenance.older": "Older maintenance is listed in the incident history.",
    "none.active": "No incidents right now.",
    "notfound.title": "Page not found",
    "notfound.text": "There is no page at this address. The current status is on the home page.",
    "footer.contact": "Contact support",
    "footer.powered": "Built with warroom",
}

_FR = {
    "skip": "Aller au contenu",
    "nav.label": "Site",
    "nav.status": "État",
    "nav.history": "Historique",
    "nav.maintenance": "Maintenance",
    "nav.availability": "Disponibilité",
    "nav.metrics": "SLA et indicateurs",
    "indicator.none": "Tous les systèmes fonctionnent",
    "indicator.minor": "Perturbation mineure",
    "indicator.major": "Panne partielle",
    "indicator.critical": "Panne majeure",
    "indicator.maintenance": "Maintenance en cours",
    "component.operational": "Opérationnel",
    "component.degraded_performance": "Performances dégradées",
    "component.partial_outage": "Panne partielle",
    "component.major_outage": "Panne majeure",
    "component.under_maintenance": "En maintenance",
    "status.investigating": "Analyse en cours",
    "status.identified": "Cause identifiée",
    "status.monitoring": "Sous surveillance",
    "status.resolved": "Résolu",
    "status.canceled": "Annulé",
    "status.scheduled": "Planifiée",
    "status.in_progress": "En cours",
    "status.completed": "Terminée",
    "impact.none": "Aucun impact",
    "impact.minor": "Mineur",
    "impact.major": "Majeur",
    "impact.critical": "Critique",
    "type.outage": "Panne",
    "type.degradation": "Dégradation",
    "type.network": "Réseau",
    "type.bug": "Anomalie",
    "type.security": "Sécurité",
    "type.data-loss": "Perte de données",
    "type.maintenance": "Maintenance",
    "home.title": "État actuel",
    "home.active": "Incidents en cours",
    "home.maintenance_active": "Maintenance en cours",
    "home.maintenance_upcoming": "Maintenances à venir",
    "home.components": "Composants",
    "home.latest": "Dernière mise à jour",
    "home.history_link": "Voir tous les incidents passés",
    "home.subscribe": "S’abonner",
    "home.subscribe_text": "Suivez les incidents dans un lecteur de flux, ajoutez les "
                           "maintenances à un agenda ou lisez l’état en JSON.",
    "home.generated": "État au {when}.",
    "uptime.percent": "{percent} de disponibilité sur les {days} derniers jours",
    "uptime.details": "Disponibilité quotidienne de {name}",
    "uptime.all_days": "Chacun des {days} derniers jours a été entièrement disponible.",
    "uptime.other_days": "{count} autres jours sur les {days} derniers ont été entièrement "
                         "disponibles.",
    "uptime.day": "Jour (UTC)",
    "uptime.value": "Disponibilité",
    "uptime.incidents": "Incidents",
    "uptime.none": "aucun",
    "uptime.more": "et {count} autres",
    "uptime.method": "La disponibilité est comptée par jour UTC à partir des périodes "
                     "d’impact des incidents : une panne majeure compte {major} de sa durée "
                     "comme indisponible, une panne partielle {partial}, des performances "
                     "dégradées {degraded} ; les maintenances sont exclues.",
    "uptime.from_to": "Du {first} au {last}",
    "incident.impact": "Impact",
    "incident.type": "Type",
    "incident.status": "État",
    "incident.components": "Composants touchés",
    "incident.started": "Début",
    "incident.ended": "Fin",
    "incident.duration": "Durée",
    "incident.ongoing": "En cours depuis {span}",
    "incident.window": "Créneau",
    "incident.window_text": "du {start} au {end}",
    "incident.updates": "Mises à jour",
    "incident.no_time": "heure non enregistrée",
    "incident.summary": "Résumé",
    "incident.postmortem": "Analyse post-incident",
    "incident.postmortem_link": "Lire l’analyse complète",
    "incident.action_items": "Actions correctives",
    "incident.action": "Action",
    "incident.action_status": "État",
    "incident.action_due": "Échéance",
    "incident.action_owner": "Responsable",
    "incident.related": "Incidents liés",
    "incident.back": "Retour à l’état actuel",
    "action.open": "À faire",
    "action.in_progress": "En cours",
    "action.done": "Fait",
    "action.wont_do": "Abandonné",
    "internal.badge": "Interne",
    "internal.drill": "Exercice",
    "internal.banner": "Version interne : contient les incidents et mises à jour internes. "
                       "Ne pas publier.",
    "internal.severity": "Gravité",
    "internal.roles": "Rôles",
    "internal.links": "Liens",
    "internal.clocks": "Délais SLA",
    "internal.dashboard": "Délais SLA des incidents en cours",
    "internal.dashboard_empty": "Aucun délai ne court pour les incidents en cours.",
    "internal.incident": "Incident",
    "internal.clock_target": "Objectif",
    "internal.clock_state": "État",
    "internal.clock_due": "Échéance",
    "internal.clock_used": "Consommé",
    "internal.no_clocks": "Aucun délai SLA ne s’applique.",
    "internal.author": "par {author}",
    "history.title": "Historique des incidents",
    "history.empty_month": "Aucun incident signalé ce mois-ci.",
    "history.pages": "Pages de l’historique",
    "history.newer": "Incidents plus récents",
    "history.older": "Incidents plus anciens",
    "history.page": "Page {page} sur {pages}",
    "component.title": "{name}",
    "component.current": "État actuel",
    "component.feeds": "Flux des incidents de {name} :",
    "component.history": "Incidents ayant touché {name}",
    "component.no_incidents": "Aucun incident n’a touché ce composant.",
    "maintenance.title": "Maintenances planifiées",
    "maintenance.active": "En cours",
    "maintenance.upcoming": "À venir",
    "maintenance.past": "Maintenances passées",
    "maintenance.none_active": "Aucune maintenance en cours.",
    "maintenance.none_upcoming": "Aucune maintenance planifiée.",
    "maintenance.none_past": "Aucune maintenance passée.",
    "maintenance.older": "Les maintenances plus anciennes sont dans l’historique des incidents.",
    "none.active": "Aucun incident en ce moment.",
    "notfound.title": "Page introuvable",
    "notfound.text": "Il n’y a pas de page à cette adresse. L’état actuel est sur la page "
                     "d’accueil.",
    "footer.contact": "Contacter le support",
    "footer.powered": "Généré avec warroom",
}

STRINGS: dict[str, dict[str, str]] = {"en": _EN, "fr": _FR}
LANGUAGES = tuple(sorted(STRINGS))

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}
_MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
}
_WEEKDAYS_SHORT = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
}
_UNITS = {"en": ("d", "h", "min"), "fr": ("j", "h", "min")}
NARROW_NBSP = "\u202f"


def offset_label(moment: dt.datetime) -> str:
    """UTC, or UTC+01:00 / UTC-05:30: the offset in effect at that moment."""
    return _offset_text(moment.utcoffset() or timedelta(0))


@cache
def _offset_text(offset: timedelta) -> str:
    # A site has a handful of offsets and pages show tens of thousands of times.
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


class Translator:
    """Strings and formats of one language, for one site time zone."""

    def __init__(self, language: str, zone: tzinfo) -> None:
        if language not in STRINGS:
            raise ValueError(f"unknown language {language!r}; known: {', '.join(LANGUAGES)}")
        self.language = language
        self.zone = zone
        self._strings = STRINGS[language]

    def __call__(self, key: str, /, **values: object) -> str:
        """The string `key`, with `values` filled in. When a value is already HTML (Markup,
        or has __html__ like a Moment), the result is Markup and other values are escaped."""
        text = self._strings[key]
        if not values:
            return text
        if any(hasattr(v, "__html__") for v in values.values()):
            return Markup(escape(text)).format(**values)
        return text.format(**values)

    def has(self, key: str) -> bool:
        return key in self._strings

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)

    def datetime(self, moment: dt.datetime) -> str:
        """20 Nov 2026, 09:10 UTC+01:00 (fr: 20 nov. 2026, 09:10 UTC+01:00)."""
        return self.local_datetime(self.local(moment))

    def local_datetime(self, here: dt.datetime) -> str:
        """`datetime` of a time already in the site's zone (pages format ~10^5 of them)."""
        return (f"{here.day} {_MONTHS_SHORT[self.language][here.month - 1]} {here.year}, "
                f"{here.hour:02d}:{here.minute:02d} {offset_label(here)}")

    def time(self, moment: dt.datetime) -> str:
        here = self.local(moment)
        return f"{here:%H:%M} {offset_label(here)}"

    def date(self, day: dt.date) -> str:
        return f"{day.day} {_MONTHS_SHORT[self.language][day.month - 1]} {day.year}"

    def weekday_date(self, day: dt.date) -> str:
        return f"{_WEEKDAYS_SHORT[self.language][day.weekday()]} {self.date(day)}"

    def month(self, year: int, month: int) -> str:
        return f"{_MONTHS[self.language][month - 1]} {year}"

    def duration(self, span: timedelta) -> str:
        """Whole minutes: the largest unit, then the next one down unless it is zero (2 d 3 h,
        2 d, 1 h 5 min, 0 min). Never a unit further down: 4 d 0 h 1 min reads 4 d, not
        4 d 1 min, which would hide the hours behind a precision the reader does not need
        (and change an open incident's page every minute)."""
        minutes = max(0, int(span.total_seconds()) // 60)
        units = tuple(zip((1440, 60, 1), _UNITS[self.language], strict=True))
        for index, (size, unit) in enumerate(units):
            if minutes >= size:
                text = f"{minutes // size}\u00a0{unit}"
                if index + 1 < len(units):
                    smaller, name = units[index + 1]
                    rest = minutes % size // smaller
                    if rest:
                        text += f" {rest}\u00a0{name}"
                return text
        return f"0\u00a0{units[-1][1]}"

    def percent(self, value: float, digits: int = 2) -> str:
        """99.95% (fr: 99,95 %), never rounding a loss up to a clean 100."""
        scale = 10 ** digits
        floored = math.floor(value * scale + 1e-6) / scale  # 99.999 must not read as 100.00
        text = f"{floored:.{digits}f}"
        if self.language == "fr":
            return text.replace(".", ",") + NARROW_NBSP + "%"
        return text + "%"
