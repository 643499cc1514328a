"""The words of the patient pages' scripts (``static/app.js``, ``static/record.js``).

The scripts hold no words of their own: each patient page carries these, translated, in
its ``data-i18n`` attribute (JSON; the CSP forbids inline script), and the scripts read
them by key. ``{name}`` placeholders are filled in by the script.
"""

from __future__ import annotations

from hemifacial.services.i18n import N_, gettext

STRINGS: dict[str, str] = {
    # autosave of the request's answers (app.js)
    "saved": N_("Saved."),
    "not_saved": N_("Not saved yet (we will try again)."),
    "offline": N_("Offline: your answers are kept on this page."),
    # the video upload form (app.js)
    "choose_video": N_("Please choose a video first."),
    # Translators: {percent} is a number from 0 to 100.
    "uploading_percent": N_("Uploading… {percent}%"),
    "uploading": N_("Uploading…"),
    "upload_failed": N_("The upload failed. Please try again."),
    "connection_lost": N_("The connection was lost. Please try again."),
    "sentence": N_("%(sentence)s."),  # a server message and its full stop (see error.html)
    # Translators: on a button, after the private link was copied.
    "copied": N_("Copied"),
    # recording in the browser (record.js)
    "rec_unsupported": N_(
        "Your browser cannot record video on this page. Record with your phone's camera "
        "app, then upload the file below."
    ),
    "rec_insecure": N_(
        "Recording here needs a secure (https) link. Record with your phone's camera app, "
        "then upload the file below."
    ),
    "rec_denied": N_(
        "You did not allow the camera, so we cannot record here. To try again, allow the "
        "camera for this site in your browser's settings. Or record with your phone's "
        "camera app and upload the file below."
    ),
    "rec_nocamera": N_(
        "We could not find a camera on this device. Record on a phone, then upload the file below."
    ),
    "rec_busy": N_(
        "Another app is using your camera. Close it and try again, or upload a file below."
    ),
    "rec_failed": N_("Something went wrong with the camera. Try again, or upload a file below."),
    "rec_too_dark": N_("It is too dark. Face a window or turn on a lamp."),
    "rec_too_bright": N_("It is too bright. Move away from direct sunlight."),
    "rec_backlight": N_("There is bright light behind you. Turn so the light is in front of you."),
    "rec_uneven": N_(
        "One side of your face is darker. Turn so the light falls on your whole face."
    ),
    "rec_closer": N_("Move closer, or hold the phone so your face fills the oval."),
    "rec_too_close": N_("You are too close. Move the phone back a little."),
    "rec_light_ok": N_("The light is good."),
    "rec_size_ok": N_("Your face fills the oval."),
    # Translators: {size} is a number of megabytes, like 12.5.
    "rec_size_note": N_("Your video is {size} MB."),
    # Translators: {percent} is a number from 0 to 100.
    "rec_sending_percent": N_("Sending… {percent}%"),
    "rec_sending": N_("Sending…"),
    "rec_upload_failed": N_("The upload did not work. Please try again."),
    "rec_connection_lost": N_(
        "The connection was lost. Your video is still here: press Send again."
    ),
}


def js_strings() -> dict[str, str]:
    """The scripts' words in the current language."""
    return {key: gettext(text) for key, text in STRINGS.items()}
