"""pdkit's own words on the micro-credentials page, in Spanish (merged into
:mod:`pdkit.i18n`'s catalog; English is the source text)."""

from __future__ import annotations

__all__ = ["ES_CREDENTIALS"]

ES_CREDENTIALS = {
    "Assess": "Evaluar",
    "Award": "Otorgar",
    "Awarded to {name}.": "Otorgada a {name}.",
    "Awarded.": "Otorgada.",
    "Check-in {n}": "Seguimiento {n}",
    "Comments for the teacher": "Comentarios para el docente",
    "Competency": "Competencia",
    "Download my credential": "Descargar mi credencial",
    "Earn a micro-credential from your own work: choose one, tick what shows it, "
    "say how, and submit it to your assessor.": (
        "Obtén una microcredencial con tu propio trabajo: elige una, marca lo que la "
        "muestra, explica cómo y envíala a quien la evalúa."
    ),
    "Feedback": "Retroalimentación",
    "Key method": "Método clave",
    "Micro-credential": "Microcredencial",
    "My goal, version {n}": "Mi meta, versión {n}",
    "My micro-credentials": "Mis microcredenciales",
    "My reflection": "Mi reflexión",
    "Nothing waits for you.": "No hay nada pendiente.",
    "Return with comments": "Devolver con comentarios",
    "Returned to {name} with your comments.": "Devuelta a {name} con tus comentarios.",
    "Returned with comments: revise and submit again.": (
        "Devuelta con comentarios: revísala y envíala de nuevo."
    ),
    "Statement: how this shows the competency": "Explicación: cómo muestra esto la competencia",
    "Submissions to assess": "Envíos por evaluar",
    "Submit": "Enviar",
    "Submitted to your assessor.": "Enviada a quien la evalúa.",
    "Submitted: waiting for your assessor.": "Enviada: espera a quien la evalúa.",
    "This micro-credential is not offered here any more.": (
        "Esta microcredencial ya no se ofrece aquí."
    ),
    "Version {n}: {decision} on {at}": "Versión {n}: {decision} el {at}",
    "What changed for your students, and what you will keep doing": (
        "Qué cambió para tus estudiantes y qué seguirás haciendo"
    ),
    "You have none yet.": "Todavía no tienes ninguno.",
    "Your credential is downloading.": "Tu credencial se está descargando.",
    "Your credential is ready to download.": "Tu credencial está lista para descargar.",
    "Your credential will be issued once the district sets its signing key.": (
        "Tu credencial se emitirá cuando el distrito configure su clave de firma."
    ),
    "award": "otorgada",
    "return": "devuelta",
    "student data": "datos de estudiantes",
    "version": "versión",
}
"""English source text → Spanish, for :mod:`pdkit.app._credential` and :mod:`pdkit.app._assess`."""
