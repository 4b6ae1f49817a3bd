"""pdkit's own words on the pathway pages, in Spanish (merged into :mod:`pdkit.i18n`'s
catalog; kept apart so that the catalog module stays small)."""

from __future__ import annotations

__all__ = ["ES_PATHWAYS"]

ES_PATHWAYS = {
    ("My pathway"): ("Mi itinerario"),
    ("Set your goal"): ("Escribe tu meta"),
    ("Pathway"): ("Itinerario"),
    ("Follow this pathway"): ("Seguir este itinerario"),
    ("Change my pathway"): ("Cambiar de itinerario"),
    ("(no pathway)"): ("(ningún itinerario)"),
    ("You follow this pathway now."): ("Ahora sigues este itinerario."),
    ("You follow no pathway now."): ("Ahora no sigues ningún itinerario."),
    ("Choose one of the school goals for your goal first: the pathways are made for them."): (
        "Primero elige para tu meta uno de los objetivos de la escuela: los itinerarios "
        "están hechos para ellos."
    ),
    (
        "There is no pathway for your school goal yet: ask your facilitator or coach for "
        "one, or follow another pathway below."
    ): (
        "Todavía no hay un itinerario para tu objetivo de la escuela: pide uno a tu "
        "facilitador o a tu coach, o sigue otro itinerario de abajo."
    ),
    (
        "A pathway is a set of steps towards your school goal: some required, some you "
        "choose. Pick one below."
    ): (
        "Un itinerario es una serie de pasos hacia tu objetivo de la escuela: algunos "
        "obligatorios y otros que eliges tú. Elige uno abajo."
    ),
    ("Required steps: {done} of {total} done."): ("Pasos obligatorios: {done} de {total} hechos."),
    ("Optional steps: {done} done of at least {least}."): (
        "Pasos opcionales: {done} hechos de al menos {least}."
    ),
    ("Well done: you completed this pathway."): ("Muy bien: completaste este itinerario."),
    ("Next: {steps}"): ("Siguiente: {steps}"),
    ("done"): ("hecho"),
    ("locked"): ("bloqueado"),
    ("to do"): ("por hacer"),
    ("required"): ("obligatorio"),
    ("optional"): ("opcional"),
    ("Read or watch"): ("Leer o ver"),
    ("Complete a workbook"): ("Completar un cuaderno"),
    ("Present in a protocol round"): ("Presentar en una ronda de protocolo"),
    ("Observation"): ("Observación"),
    ("PLC meeting"): ("Reunión de la comunidad de aprendizaje"),
    ("Credential"): ("Credencial"),
    ("Other"): ("Otro"),
    ("Open the resource"): ("Abrir el recurso"),
    ("Open the workbook"): ("Abrir el cuaderno"),
    ("Waits for: {steps}"): ("Espera a: {steps}"),
    ("Completes itself when your answers in this workbook are saved."): (
        "Se completa solo cuando tus respuestas en este cuaderno están guardadas."
    ),
    ("Completes itself when you present in a protocol round."): (
        "Se completa solo cuando presentas en una ronda de protocolo."
    ),
    ("Completes itself when an observation of your teaching is sent to you."): (
        "Se completa solo cuando te envían una observación de tu clase."
    ),
    ("Completes itself when you send an observation of a colleague's lesson."): (
        "Se completa solo cuando envías una observación de la clase de un colega."
    ),
    ("Link (optional)"): ("Enlace (opcional)"),
    ("Note (optional)"): ("Nota (opcional)"),
    ("A few words: what you did"): ("Unas palabras: qué hiciste"),
    ("Mark as done"): ("Marcar como hecho"),
    ("Not done after all"): ("Al final no está hecho"),
    ("Marked as done."): ("Marcado como hecho."),
    ("Marked as not done."): ("Marcado como no hecho."),
    "Completes itself when an assessor awards you this micro-credential.": (
        "Se completa solo cuando quien evalúa te otorga esta microcredencial."
    ),
}
