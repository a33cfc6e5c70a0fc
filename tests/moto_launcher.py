"""moto's server with AssumeRoleWithSAML fixed, for okta-aws's tests.

Usage: python3 tests/moto_launcher.py -H 127.0.0.1 -p 0   (moto.server's own arguments)
moto prints "Running on http://127.0.0.1:PORT" on stderr as usual.

moto 5.2 (5.2.1 to 5.2.5) mishandles AssumeRoleWithSAML; this file monkeypatches it so that:
  1. any number of Role values, and an AttributeStatement with a single Attribute, work
     (xmltodict gives a dict, not a list, for a single element: everything is normalised);
  2. a missing RoleSessionName, or an assertion that is not base64 / not UTF-8 / not XML /
     without samlp:Response/saml:Assertion, is HTTP 400 InvalidIdentityToken, not HTTP 500;
  3. RoleArn must be one of the assertion's Role pairs together with PrincipalArn (in either
     order inside the pair), else HTTP 403 AccessDenied, as AWS answers;
  4. the session lives in the role's account (and partition): GetCallerIdentity with the new
     keys answers arn:aws:sts::<role account>:assumed-role/<role>/<session>;
  5. DurationSeconds is honoured (default: the SessionDuration attribute, else 3600); above
     the role's MaxSessionDuration (when the role exists in moto's IAM) it is HTTP 400
     ValidationError with AWS's message. No signature is checked, as before.
With MOTO_LAUNCHER_SAML_DELAY_MS=N set, each AssumeRoleWithSAML answer waits N ms first
(network latency, for the concurrency test of `login --all-roles`).
With MOTO_LAUNCHER_SAML_LIFETIME_S=N set, AssumeRoleWithSAML's sessions last N seconds
whatever was asked (after the checks above): credentials that expire during a test's run.
With MOTO_LAUNCHER_ROLE_LIFETIME_S=N set, AssumeRole's sessions (a cross-account hop) last
N seconds whatever was asked, likewise.
When stdin is a pipe, the server exits when it reaches EOF, so a test process that dies
(closing its end) takes moto with it.
"""

import base64
import os
import re
import stat
import sys
import threading
import time
import uuid
from xml.sax.saxutils import escape

import xmltodict
from werkzeug.exceptions import HTTPException

from moto.core.responses import ActionResult
from moto.iam.models import iam_backends
from moto.sts import models as sts_models
from moto.sts.exceptions import STSClientError, STSValidationError
from moto.sts.responses import TokenResponse
from moto.sts.utils import DEFAULT_STS_SESSION_DURATION

SAML_ATTR = "https://aws.amazon.com/SAML/Attributes/"
ROLE_ARN = re.compile(r"^arn:([a-z-]+):iam::(\d{12}):role/(.+)$")


class InvalidIdentityToken(STSClientError):
    """In the STS model (HTTP 400), so moto serialises it properly."""

    code = "InvalidIdentityToken"


class AccessDenied(HTTPException):
    """HTTP 403 with STS's query-protocol error body (AccessDenied is not in the STS model,
    so a ServiceException would come out as 400)."""

    def __init__(self, message):
        super().__init__()
        self.code = 403
        self.description = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{escape(message)}"
            f"</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        )

    def get_headers(self, *args, **kwargs):
        return [("Content-Type", "text/xml"), ("X-Amzn-ErrorType", "AccessDenied")]


def as_list(x):
    return [] if x is None else x if isinstance(x, list) else [x]


def text_of(value):
    # force_cdata=True: {"#text": ..., "@xsi:type": ...}; an empty element is None
    if isinstance(value, dict):
        return (value.get("#text") or "").strip()
    return (value or "").strip()


def parse_assertion(encoded):
    """{attribute name: [values]} from a base64 SAML response, or InvalidIdentityToken."""
    try:
        raw = base64.b64decode("".join((encoded or "").split()), validate=True)
        doc = xmltodict.parse(
            raw.decode("utf-8"),
            force_cdata=True,
            process_namespaces=True,
            namespaces={
                "urn:oasis:names:tc:SAML:2.0:protocol": "samlp",
                "urn:oasis:names:tc:SAML:2.0:assertion": "saml",
            },
            namespace_separator="|",
        )
    except Exception as e:  # binascii.Error, UnicodeDecodeError, ExpatError, ...
        raise InvalidIdentityToken(f"Invalid SAML assertion: not base64-encoded XML ({e})")
    response = doc.get("samlp|Response") if isinstance(doc, dict) else None
    assertions = as_list(response.get("saml|Assertion")) if isinstance(response, dict) else []
    if not assertions:
        raise InvalidIdentityToken("Invalid SAML assertion: no samlp:Response/saml:Assertion")
    attributes = {}
    for assertion in assertions:
        for statement in as_list(assertion.get("saml|AttributeStatement")):
            for attribute in as_list(statement.get("saml|Attribute")):
                values = [text_of(v) for v in as_list(attribute.get("saml|AttributeValue"))]
                attributes.setdefault(attribute.get("@Name"), []).extend(values)
    return attributes


PARTITION_REGIONS = {"aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


def assume_role_with_saml(self, role_arn, principal_arn, saml_assertion, duration_seconds=None, **_):
    """Replaces STSBackend.assume_role_with_saml."""
    attributes = parse_assertion(saml_assertion)
    session_name = next(iter(attributes.get(SAML_ATTR + "RoleSessionName", [])), "")
    if not session_name:
        raise InvalidIdentityToken("Invalid SAML assertion: the RoleSessionName attribute is missing")

    # Role values are "provider ARN,role ARN" in either order.
    pairs = {frozenset(p.strip() for p in v.split(",")) for v in attributes.get(SAML_ATTR + "Role", [])}
    if frozenset((role_arn, principal_arn)) not in pairs:
        raise AccessDenied("Not authorized to perform sts:AssumeRoleWithSAML")

    m = ROLE_ARN.match(role_arn)
    if not m:
        raise STSValidationError(f"{role_arn} is invalid")
    partition, account_id = m.group(1), m.group(2)
    iam = iam_backends[account_id][partition]

    if duration_seconds is None:
        given = attributes.get(SAML_ATTR + "SessionDuration")
        duration = int(given[0]) if given and given[0].isdigit() else DEFAULT_STS_SESSION_DURATION
    else:
        duration = duration_seconds
        if duration < 900 or duration > 43200:
            raise STSValidationError(
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to "
                "satisfy constraint: Member must have value "
                + ("greater than or equal to 900" if duration < 900 else "less than or equal to 43200")
            )
        try:
            role = iam.get_role_by_arn(arn=role_arn)
        except Exception:  # unknown roles may be assumed, as in plain moto
            role = None
        if role is not None and duration > int(role.max_session_duration or 3600):
            raise STSValidationError(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            )

    lifetime = os.environ.get("MOTO_LAUNCHER_SAML_LIFETIME_S")
    if lifetime:
        duration = int(lifetime)

    # Keys and session in the role's account: moto maps an access key to the account whose
    # IAM backend holds it, and GetCallerIdentity looks in that account's STS backend.
    access_key = iam.create_temp_access_key()
    access_key.role_arn = role_arn
    # AssumeRoleWithSAML is unsigned, so moto serves it from its default region (us-east-1);
    # the session must carry a region of the role's partition, or its ARN says arn:aws:.
    region = self.region_name if partition == "aws" else PARTITION_REGIONS.get(partition, self.region_name)
    role = sts_models.AssumedRole(
        account_id=account_id,
        region_name=region,
        access_key=access_key,
        role_session_name=session_name,
        role_arn=role_arn,
        policy=None,
        duration=duration,
        external_id=None,
    )
    sts_models.sts_backends[account_id][partition].assumed_roles.append(role)
    return role


def response_assume_role_with_saml(self):
    """Replaces TokenResponse.assume_role_with_saml: the same answer as moto's, but checks the
    required parameters and passes DurationSeconds on."""
    delay_ms = float(os.environ.get("MOTO_LAUNCHER_SAML_DELAY_MS") or 0)
    if delay_ms > 0:
        time.sleep(delay_ms / 1000)
    params = {}
    for name in ("RoleArn", "PrincipalArn", "SAMLAssertion"):
        params[name] = self._get_param(name)
        if not params[name]:
            field = name[0].lower() + name[1:]
            raise STSValidationError(
                f"1 validation error detected: Value null at '{field}' failed to satisfy "
                "constraint: Member must not be null"
            )
    duration = self._get_param("DurationSeconds")
    if duration is not None and not str(duration).isdigit():
        raise STSValidationError(f"Invalid DurationSeconds: {duration}")
    role = self.backend.assume_role_with_saml(
        role_arn=params["RoleArn"],
        principal_arn=params["PrincipalArn"],
        saml_assertion=params["SAMLAssertion"],
        duration_seconds=None if duration is None else int(duration),
    )
    return ActionResult(
        {
            "Credentials": role,
            "AssumedRoleUser": {"AssumedRoleId": role.user_id, "Arn": role.arn},
            "PackedPolicySize": 123,
            "Subject": role.user_id,
            "SubjectType": "persistent",
            "Issuer": "http://localhost:3000/",
            "Audience": "https://signin.aws.amazon.com/saml",
            "NameQualifier": "B64EncodedStringOfHashOfIssuerAccountIdAndUserId=",
        }
    )


original_assume_role = sts_models.STSBackend.assume_role


def assume_role(self, *args, **kwargs):
    """moto's AssumeRole, with MOTO_LAUNCHER_ROLE_LIFETIME_S's session length if set."""
    lifetime = os.environ.get("MOTO_LAUNCHER_ROLE_LIFETIME_S")
    if lifetime:
        kwargs["duration"] = int(lifetime)
    return original_assume_role(self, *args, **kwargs)


sts_models.STSBackend.assume_role_with_saml = assume_role_with_saml
sts_models.STSBackend.assume_role = assume_role
TokenResponse.assume_role_with_saml = response_assume_role_with_saml


def exit_on_stdin_eof():
    def watch():
        try:
            while sys.stdin.buffer.read(65536):
                pass
        finally:
            os._exit(0)

    mode = os.fstat(0).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    exit_on_stdin_eof()
    from moto.server import main

    main(sys.argv[1:])

# Hand check (moto 5.2.1, awscli 1.x), all on 127.0.0.1:
#   python3 tests/moto_launcher.py -H 127.0.0.1 -p 0 < <(sleep 900) 2>moto.err &   # PORT from moto.err
#   export AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:$PORT \
#          AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
#   A=<base64 of a samlp:Response whose Role attribute has three values:
#      "arn:aws:iam::222222222222:saml-provider/Okta,arn:aws:iam::222222222222:role/Admin",
#      "arn:aws:iam::333333333333:role/ReadOnly,arn:aws:iam::333333333333:saml-provider/Okta", one more;
#      RoleSessionName alice@example.com; SessionDuration 7200>
#   aws sts assume-role-with-saml --role-arn arn:aws:iam::222222222222:role/Admin \
#       --principal-arn arn:aws:iam::222222222222:saml-provider/Okta --saml-assertion "$A"
#     -> Arn arn:aws:sts::222222222222:assumed-role/Admin/alice@example.com, Expiration now+2h
#   (same for ReadOnly/333333333333, then with its keys) aws sts get-caller-identity
#     -> Account 333333333333, Arn arn:aws:sts::333333333333:assumed-role/ReadOnly/alice@example.com
#   --duration-seconds 900                        -> Expiration now+15min
#   RoleSessionName missing (single Attribute)    -> 400 InvalidIdentityToken
#   RoleSessionName only (single Attribute)       -> 403 AccessDenied (no Role pairs)
#   role not in the assertion / other pair's provider -> 403 AccessDenied
#   'not base64!!', base64 of 'hello <', of '<a><b/></a>' -> 400 InvalidIdentityToken
#   with the 222222222222 keys: aws iam create-role --role-name Admin --max-session-duration 3600 ...
#     then --duration-seconds 7200 -> 400 ValidationError "The requested DurationSeconds exceeds
#     the MaxSessionDuration set for this role."; 3600 -> ok. (A SessionDuration attribute above
#     MaxSessionDuration is not checked.)
#   curl without PrincipalArn -> 400 ValidationError "Value null at 'principalArn' ..."
#   kill the `sleep 900` (stdin EOF) -> the server exits at once.
