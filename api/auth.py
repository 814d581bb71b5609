"""Bearer-token check for the write operations (SPARQL UPDATE, POST /reports)."""
from __future__ import annotations

import hmac

from fastapi import HTTPException, Request
from fastapi.security import HTTPBearer

# Declares the bearer token in the OpenAPI description (``dependencies=[Security(BEARER)]``);
# it checks nothing itself: require_token does.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearerAuth",
                    description="The server's token (POLICY_KG_TOKEN, `kg serve --token`), needed "
                                "for SPARQL UPDATE and POST /reports.")


def require_token(request: Request, token: str | None, what: str = "this operation") -> None:
    """403 when no token is configured (writes are off), 401 unless ``Authorization: Bearer <token>``."""
    if not token:
        raise HTTPException(403, f"{what} is disabled: the server has no token configured "
                                 "(set POLICY_KG_TOKEN to enable writes)")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(401, f"{what} needs the header 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": 'Bearer realm="policy-kg"'})
