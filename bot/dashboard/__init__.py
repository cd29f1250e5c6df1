"""The managers' dashboard: a Telegram Mini App served by the bot process (aiohttp).

`initdata` checks who is asking (Telegram's signed initData), `views` turns the services' answers
into the JSON the page draws, `server` is the web application, `static/` the page itself.
"""
