"""Languages: texts in definitions per language, and pdkit's own words in English and Spanish.

A definition may give any title, intro, label, help, placeholder or prompt as a
mapping of language codes to texts (``label: {en: My goal, es: Mi meta}``); the
loader keeps the text of the chosen language (:func:`choose`). pdkit's own words on a
page (Save, Join, "Saved at …") come from :func:`translator`: English is the source
text, other languages are looked up here. A missing translation falls back to English,
never to an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ._es_credentials import ES_CREDENTIALS
from .links import query_value

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "choose", "language_from_url", "translator"]

DEFAULT_LANGUAGE = "en"

_ES = {
    ("Loading your workbook…"): ("Cargando tu cuaderno…"),
    ("Your name"): ("Tu nombre"),
    ("First and last name"): ("Nombre y apellido"),
    ("Join"): ("Entrar"),
    ("Not you? Sign out"): ("¿No eres tú? Salir"),
    ("Forget this participant in this browser"): ("Olvidar a esta persona en este navegador"),
    (
        "Type your name to start. Your answers are saved on this workshop's server "
        "and stay private to you. Joined before? Open your personal link to continue "
        "where you left off."
    ): (
        "Escribe tu nombre para empezar. Tus respuestas se guardan en el servidor de "
        "este taller y son privadas. ¿Ya entraste antes? Abre tu enlace personal para"
        " seguir donde lo dejaste."
    ),
    ("Signed in as {name}."): ("Has entrado como {name}."),
    ("Signed in as {name} (JupyterHub)."): ("Has entrado como {name} (JupyterHub)."),
    ("Your personal link: bookmark it, or keep it to continue on another device."): (
        "Tu enlace personal: guárdalo para seguir en otro dispositivo."
    ),
    ("Please type your name so your group and coach know it is you."): (
        "Escribe tu nombre para que tu grupo y tu coach sepan que eres tú."
    ),
    ("Please use at most {n} characters for your name."): (
        "Usa como máximo {n} caracteres para tu nombre."
    ),
    (
        "This personal link is not known on this server (it may belong to another "
        "workshop). Join below to start."
    ): (
        "Este enlace personal no existe en este servidor (quizá es de otro taller). "
        "Entra abajo para empezar."
    ),
    (
        "The personal link you opened is not known on this server, so you are signed "
        "in as before in this browser."
    ): (
        "El enlace personal que abriste no existe en este servidor; sigues con la "
        "sesión anterior de este navegador."
    ),
    ("Save"): ("Guardar"),
    ("Save my answers now (they also save as you type)"): (
        "Guardar ahora (también se guarda mientras escribes)"
    ),
    ("Your answers save as you type."): ("Tus respuestas se guardan mientras escribes."),
    ("Saving…"): ("Guardando…"),
    ("Saved at {time}"): ("Guardado a las {time}"),
    (
        "Not saved yet: the answer store did not respond. Your text is still here; "
        "select Save to try again."
    ): (
        "Aún no se ha guardado: el almacén de respuestas no respondió. Tu texto sigue"
        " aquí; pulsa Guardar para intentarlo de nuevo."
    ),
    ("Still to answer:"): ("Falta responder:"),
    ("(required)"): ("(obligatorio)"),
    ("{count} / {limit} characters"): ("{count} / {limit} caracteres"),
    ("The limit is {limit} characters: the text was cut at {limit}."): (
        "El límite es de {limit} caracteres: el texto se cortó en {limit}."
    ),
    ("Choose…"): ("Elige…"),
    (
        "There is nothing to choose from yet: ask your facilitator to add the options"
        " for this session."
    ): ("Todavía no hay opciones: pide a quien facilita que las añada para esta sesión."),
    ("Add a {item}"): ("Añadir {item}"),
    ("Add another {item}"): ("Añadir otro {item}"),
    ("Remove"): ("Quitar"),
    ("Remove {item}"): ("Quitar {item}"),
    ("At most {count} {items}."): ("Como máximo {count} elementos."),
    ("Back"): ("Atrás"),
    ("Next"): ("Siguiente"),
    ("The previous prompt"): ("La pregunta anterior"),
    ("The next prompt"): ("La pregunta siguiente"),
    ("Prompt {index} of {count}"): ("Pregunta {index} de {count}"),
    ("Suggestions (optional):"): ("Sugerencias (opcionales):"),
    ("✓ Clear and checkable — nice."): ("✓ Clara y comprobable: ¡bien!"),
    (
        "How will you know? Add a measure, such as “8 of my 10 students” or “from 2 "
        "to 5 student questions a lesson”."
    ): (
        "¿Cómo lo sabrás? Añade una medida, como «8 de mis 10 estudiantes» o «de 2 a "
        "5 preguntas de estudiantes por clase»."
    ),
    ("By when? Add a date or a time frame, such as “by March” or “within six weeks”."): (
        "¿Para cuándo? Añade una fecha o un plazo, como «para marzo» o «en seis semanas»."
    ),
    ("Who benefits? Say what will change for your students."): (
        "¿Quién se beneficia? Di qué cambiará para tus estudiantes."
    ),
    ("Download my workbook"): ("Descargar mi cuaderno"),
    ("Download to print"): ("Descargar para imprimir"),
    ("Upload to continue"): ("Subir para continuar"),
    ("Your workbook is downloading. Keep the file: you can upload it next time."): (
        "Tu cuaderno se está descargando. Guarda el archivo: podrás subirlo la próxima vez."
    ),
    ("A page to print is downloading."): ("Se está descargando una página para imprimir."),
    ("Restored {count} answer(s) from {file}."): ("Se recuperaron {count} respuesta(s) de {file}."),
    ("“Who can see this?” is set as the file says for {items} item(s)."): (
        "«¿Quién puede verlo?» quedó como dice el archivo en {items} elemento(s)."
    ),
    ("Restored {count} unsaved change(s) from this browser."): (
        "Se recuperaron {count} cambio(s) sin guardar de este navegador."
    ),
    (
        "This browser also kept text you typed earlier; your answer was saved again "
        "since then, so it stays as saved. The earlier text, to copy if you need it:"
    ): (
        "Este navegador también guardó un texto que escribiste antes; tu respuesta se "
        "guardó de nuevo después, así que queda como está guardada. El texto anterior, "
        "por si quieres copiarlo:"
    ),
    ("The connection to the workshop is lost."): ("Se perdió la conexión con el taller."),
    (
        "Your answers saved until now are safe. What you type now is kept in this "
        "browser: it is saved when you open the page again."
    ): (
        "Tus respuestas guardadas hasta ahora están a salvo. Lo que escribas ahora se "
        "conserva en este navegador: se guardará cuando vuelvas a abrir la página."
    ),
    ("The workshop is back: reload the page to go on; what you typed is restored."): (
        "El taller volvió: recarga la página para seguir; lo que escribiste se recupera."
    ),
    ("Reload the page"): ("Recargar la página"),
    ("You are now in {title}: your goal and all you wrote come with you."): (
        "Ahora estás en {title}: tu meta y todo lo que escribiste vienen contigo."
    ),
    ("My goal: check-ins"): ("Mi meta: revisiones"),
    ("Check-in on my goal"): ("Revisión de mi meta"),
    ("My goal: its status, your check-ins and your coach's messages"): (
        "Mi meta: su estado, tus revisiones y los mensajes de tu coach"
    ),
    ("A few minutes on your goal: how far you have come, what you saw, what next."): (
        "Unos minutos para tu meta: cuánto has avanzado, qué has visto, qué sigue."
    ),
    ("Cannot save now: what you type is kept in this browser."): (
        "No se puede guardar ahora: lo que escribes se conserva en este navegador."
    ),
    ("Reflection"): ("Reflexión"),
    ("Your reflections are private: only you see them."): (
        "Tus reflexiones son privadas: solo tú las ves."
    ),
    ("This workbook cannot start."): ("Este cuaderno no puede empezar."),
    (
        "Your saved answers could not be loaded. Reload the page in a moment; if this"
        " persists, tell your facilitator."
    ): (
        "No se pudieron cargar tus respuestas guardadas. Recarga la página en un "
        "momento; si sigue pasando, avisa a quien facilita."
    ),
    # Sessions (pdkit.widgets.SignIn)
    ("Session code"): ("Código de la sesión"),
    ("Email for check-in reminders (optional)"): (
        "Correo para recordatorios de seguimiento (opcional)"
    ),
    ("Save address"): ("Guardar correo"),
    (
        "Give an address and you agree to get an email when a check-in on your goal is "
        "due: dates and your personal link only, never what you write. Each email has a "
        "link to stop them."
    ): (
        "Si das un correo, aceptas recibir un aviso cuando toque revisar tu meta: solo "
        "fechas y tu enlace personal, nunca lo que escribes. Cada correo trae un enlace "
        "para dejar de recibirlos."
    ),
    ("Type your email address, or leave it: you take part without reminders."): (
        "Escribe tu correo, o déjalo: participas sin recordatorios."
    ),
    (
        "Your email address was not saved: {why}. Correct it and save it, or leave "
        "it: you take part without reminders."
    ): (
        "Tu correo no se guardó: {why}. Corrígelo y guárdalo, o déjalo: participas sin "
        "recordatorios."
    ),
    ("Check-in reminders will go to {email}."): ("Los recordatorios irán a {email}."),
    ("As on the facilitator's screen, e.g. K7P-4QX"): (
        "Como aparece en la pantalla de quien facilita, p. ej. K7P-4QX"
    ),
    ("Please type the session code from the facilitator's screen."): (
        "Escribe el código de la sesión que aparece en la pantalla de quien facilita."
    ),
    ("The session code {code} is not known here. Check it on the screen."): (
        "El código de sesión {code} no existe aquí. Revísalo en la pantalla."
    ),
    ("You are joining: {title}"): ("Vas a entrar en: {title}"),
    # Who can see an item (pdkit.widgets.VisibilityPicker)
    ("Who can see this?"): ("¿Quién puede verlo?"),
    ("Only me"): ("Solo yo"),
    ("Me and my coach"): ("Mi coach y yo"),
    ("Me, my coach and my group"): ("Mi coach, mi grupo y yo"),
    ("Everyone in this session"): ("Todas las personas de esta sesión"),
    ("Only you can see this. It is private until you share it."): (
        "Solo tú puedes verlo. Es privado hasta que lo compartas."
    ),
    ("You and your coach can see this."): ("Tu coach y tú pueden verlo."),
    ("You, your coach and the members of your group can see this."): (
        "Tú, tu coach y las personas de tu grupo pueden verlo."
    ),
    (
        "Everyone in this session can see this: your group, your coach, the other "
        "participants and the facilitator."
    ): (
        "Todas las personas de esta sesión pueden verlo: tu grupo, tu coach, los demás "
        "participantes y quien facilita."
    ),
    (
        "The facilitator sees counts and which school goal you chose (to form groups), "
        "never your text unless you share it with everyone."
    ): (
        "Quien facilita ve cifras y qué meta de la escuela elegiste (para formar grupos), "
        "nunca tu texto, salvo que lo compartas con todos."
    ),
    ("Not saved:"): ("No se guardó:"),
    # Feedback on my goal, and what a revision answers (widgets/_trace.py).
    ("Feedback on my goal"): ("Comentarios sobre mi meta"),
    (
        "No feedback on your goal yet. It comes from your colleagues in the protocol rounds "
        "and on the peer-feedback page."
    ): (
        "Todavía no hay comentarios sobre tu meta. Llegan de tus colegas en las rondas del "
        "protocolo y en la página de comentarios entre colegas."
    ),
    (
        "Tick the feedback your revision answers: your next version records it, and you (and "
        "your coach, if you share your goal with them) see which feedback led to which change."
    ): (
        "Marca los comentarios a los que responde tu revisión: tu próxima versión lo registra, "
        "y tú (y tu coach, si compartes tu meta con él o ella) ves qué comentario llevó a qué "
        "cambio."
    ),
    ("Version {number} answers"): ("La versión {number} responde a"),
    ("Noted: your revision answers it."): ("Anotado: tu revisión responde a este comentario."),
    ("Noted."): ("Anotado."),
    ("Warm: what works"): ("Cálido: lo que funciona"),
    ("Cool: a gap or a question"): ("Frío: un vacío o una pregunta"),
    ("Send my answers"): ("Enviar mis respuestas"),
    ("Send your anonymous answers (once)"): ("Envía tus respuestas anónimas (una vez)"),
    ("Answer at least one question before sending."): (
        "Responde al menos una pregunta antes de enviar."
    ),
    (
        "Not sent yet: the answer store did not respond. Your answers are still here; select "
        "Send to try again."
    ): (
        "Aún no se ha enviado: el almacén de respuestas no respondió. Tus respuestas siguen "
        "aquí; selecciona Enviar para intentarlo de nuevo."
    ),
    ("Thank you: your answers are in. They are anonymous, so they cannot be changed now."): (
        "Gracias: tus respuestas ya están. Son anónimas, así que ya no se pueden cambiar."
    ),
    # measured goals (pdkit.measures, the number field)
    ("My measure"): ("Mi medida"),
    ("{name}, now ({unit})"): ("{name}, ahora ({unit})"),
    ("{name}, now"): ("{name}, ahora"),
    ("count"): ("número"),
    ("score"): ("puntuación"),
    ("minutes"): ("minutos"),
    ("Add point B as a number too, so that your check-ins can show progress."): (
        "Añade también el punto B en número, para que tus revisiones muestren el avance."
    ),
    ("Add point A as a number too, so that your check-ins can show progress."): (
        "Añade también el punto A en número, para que tus revisiones muestren el avance."
    ),
    ("Say what you will count, so that each check-in counts the same thing."): (
        "Di qué vas a contar, para que cada revisión cuente lo mismo."
    ),
    (" by {date}"): (" para el {date}"),
    ("No numbers yet for point A and point B."): ("Aún no hay números para el punto A y el B."),
    ("Target {b}{by}; point A has no number yet."): (
        "Meta {b}{by}; el punto A aún no tiene número."
    ),
    ("From {a}; point B has no number yet."): ("Desde {a}; el punto B aún no tiene número."),
    ("Point A {a}; target {b}{by}. No check-in value yet."): (
        "Punto A {a}; meta {b}{by}. Aún no hay valores de revisión."
    ),
    ("From {a} to {now} so far; target {b}{by}."): ("De {a} a {now} hasta ahora; meta {b}{by}."),
    ("Now {now}."): ("Ahora {now}."),
    ("{percent}% of the way from A to B."): ("{percent}% del camino de A a B."),
    ("A → now → B"): ("A → ahora → B"),
    ("Point A"): ("Punto A"),
    ("Point B"): ("Punto B"),
    ("{name}: from point A toward point B"): ("{name}: del punto A hacia el punto B"),
    ("Class data: summarise a CSV of de-identified scores"): (
        "Datos de la clase: resume un CSV de puntuaciones sin datos personales"
    ),
    ("Upload a CSV"): ("Subir un CSV"),
    ("Score column"): ("Columna de puntuación"),
    ("Date or week column"): ("Columna de fecha o semana"),
    ("Attach to my check-in"): ("Añadir a mi revisión"),
    ("Add the summary numbers (never the rows) to your latest check-in"): (
        "Añade los números del resumen (nunca las filas) a tu última revisión"
    ),
    (
        "Only de-identified scores: no names, emails or student ids. The file stays on "
        "this page; only the summary numbers are saved, and only when you attach them."
    ): (
        "Solo puntuaciones sin datos personales: sin nombres, correos ni identificadores de "
        "estudiantes. El archivo se queda en esta página; solo se guardan los números del "
        "resumen, y solo cuando los añades."
    ),
    ("{name}: {rows} rows read."): ("{name}: {rows} filas leídas."),
    ("Class mean from {a} ({first}) to {now} ({last})."): (
        "Media de la clase de {a} ({first}) a {now} ({last})."
    ),
    ("Point B: {b}."): ("Punto B: {b}."),
    ("Class mean by date, from point A toward point B"): (
        "Media de la clase por fecha, del punto A hacia el punto B"
    ),
    ("Date"): ("Fecha"),
    ("Scores"): ("Puntuaciones"),
    ("Mean"): ("Media"),
    ("Median"): ("Mediana"),
    ("Attached to your latest check-in: the class mean, and the summary as evidence."): (
        "Añadido a tu última revisión: la media de la clase, y el resumen como evidencia."
    ),
    ("Class data: the mean and median by date"): (
        "Datos de la clase: la media y la mediana por fecha"
    ),
    ("My measure: from point A toward point B"): ("Mi medida: del punto A hacia el punto B"),
    (
        "Type a number with digits only, such as 62 or 62.5 "
        "(no words, exponents or thousands separators)."
    ): (
        "Escribe un número solo con cifras, como 62 o 62,5 "
        "(sin palabras, exponentes ni separadores de miles)."
    ),
    # Observations (widgets/_observations.py, widgets/_observe.py, app/_observe.py).
    ("Observations of my teaching"): ("Observaciones de mis clases"),
    ("No observations yet."): ("Todavía no hay observaciones."),
    (
        "A colleague you invite sees your goal, point B and action steps as what to look "
        "for, and may observe you until you withdraw the invitation. Their notes are yours."
    ): (
        "El colega que invites ve tu meta, tu punto B y tus pasos como lo que debe observar, "
        "y puede observarte hasta que retires la invitación. Sus notas son tuyas."
    ),
    ("Invite a colleague to observe me"): ("Invitar a un colega a observarme"),
    ("Invite"): ("Invitar"),
    ("Withdraw {name}'s invitation"): ("Retirar la invitación a {name}"),
    ("{name} may observe you."): ("{name} puede observarte."),
    ("{name} may observe you now."): ("{name} ya puede observarte."),
    ("{name} may no longer observe you."): ("{name} ya no puede observarte."),
    ("Share with my coach"): ("Compartir con mi coach"),
    ("As my goal is shared"): ("Como comparto mi meta"),
    ("Keep it to myself"): ("Solo para mí"),
    ("Saved: {what}."): ("Guardado: {what}."),
    ("Observe a colleague who invited you"): ("Observar a un colega que te invitó"),
    ("observed by {name}"): ("observado por {name}"),
    ("goal version {n}"): ("versión {n} de la meta"),
    ("before a goal was set"): ("antes de fijar una meta"),
    ("no date"): ("sin fecha"),
    ("Seen"): ("Visto"),
    ("Not yet"): ("Todavía no"),
    ("Not marked"): ("Sin marcar"),
    ("General note"): ("Nota general"),
    ("Glow"): ("Lo que brilla"),
    ("Grow"): ("Para crecer"),
    ("Glow: what went well"): ("Lo que brilla: lo que salió bien"),
    ("Grow: one thing to try next"): ("Para crecer: algo que probar la próxima vez"),
    ("Whom I observe"): ("A quién observo"),
    ("Start observing"): ("Empezar a observar"),
    (
        'Nobody to observe yet: a colleague invites you from their "My goal" page, and a '
        "coach observes the teachers they coach."
    ): (
        "Todavía no hay nadie a quien observar: un colega te invita desde su página «Mi "
        "meta», y un coach observa a los docentes que acompaña."
    ),
    ("Observing {name}"): ("Observando a {name}"),
    ("Day of the visit"): ("Día de la visita"),
    ("Look-fors"): ("Qué observar"),
    ("For the teacher"): ("Para el docente"),
    ("My own look-for"): ("Algo más que observar"),
    ("What else you will look for"): ("Qué más vas a observar"),
    ("Add my look-for"): ("Añadir"),
    ("From the district list"): ("De la lista del distrito"),
    ("Add"): ("Añadir"),
    ("Note"): ("Nota"),
    ("What you saw or heard"): ("Lo que viste u oíste"),
    ("from the goal"): ("de la meta"),
    ("district"): ("distrito"),
    ("mine"): ("mío"),
    ("Send to {name}"): ("Enviar a {name}"),
    ("Your notes go to the teacher: from then on they are theirs"): (
        "Tus notas van al docente: desde entonces son suyas"
    ),
    ("Your notes save as you type. Send them to {name} when you are done."): (
        "Tus notas se guardan mientras escribes. Envíalas a {name} cuando termines."
    ),
    ("Sent to {name}. Thank you: the notes are theirs now."): (
        "Enviado a {name}. Gracias: ahora las notas son suyas."
    ),
    ("Not sent: {why}"): ("No se envió: {why}"),
    ("Not saved: {why}"): ("No se guardó: {why}"),
    ("This look-for is on the list already."): ("Esto ya está en la lista."),
    ("An observation has at most {n} look-fors."): (
        "Una observación tiene como máximo {n} cosas que observar."
    ),
    ("No look-fors yet: add some below."): ("Todavía no hay nada que observar: añade abajo."),
    (
        "Observe a colleague who invited you, or a teacher you coach. Write what you see and "
        "hear; your notes save as you type and go to the teacher when you send them."
    ): (
        "Observa a un colega que te invitó, o a un docente que acompañas. Escribe lo que ves y "
        "oyes; tus notas se guardan mientras escribes y van al docente cuando las envías."
    ),
    ("Observations shared with you"): ("Observaciones que comparten contigo"),
    ("Observe this teacher"): ("Observar a este docente"),
}

_CATALOGS: dict[str, Mapping[str, str]] = {"es": {**_ES, **ES_CREDENTIALS}}

LANGUAGES = (DEFAULT_LANGUAGE, *sorted(_CATALOGS))
"""Languages pdkit's own words are available in."""


def _base(language: str) -> str:
    return language.split("-")[0].lower()


def translator(language: str | None) -> Callable[[str], str]:
    """A function that turns pdkit's English words into ``language`` (or leaves them)."""
    catalog = _CATALOGS.get(_base(language or DEFAULT_LANGUAGE), {})
    return lambda text: catalog.get(text, text)


def choose(value: str | Mapping[str, str], language: str | None) -> str:
    """The text for ``language`` from a text or a per-language mapping: the exact code,
    then its base language (``es`` for ``es-MX``), then English, then the first given."""
    if isinstance(value, str):
        return value
    wanted = language or DEFAULT_LANGUAGE
    for code in (wanted, _base(wanted), DEFAULT_LANGUAGE):
        if code in value:
            return value[code]
    return next(iter(value.values()))


def language_from_url(url: str) -> str | None:
    """The ``lang`` query parameter of a page URL (``?lang=es``), if any."""
    value = query_value(url, "lang").strip()
    return value or None
