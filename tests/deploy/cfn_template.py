"""The CloudFormation template as data: loaded, intrinsics resolved to sample values.

Static checks (IAM least privilege, parliament, environment names) read the
template through this module, so each sees concrete ARNs instead of
``Fn::Sub``/``Ref``/``Fn::GetAtt``. Physical names follow what CloudFormation
would produce for a stack named :data:`STACK`; they only need to be plausible
and consistent (a role policy's resource ARN and the queue it names agree).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO / "deploy" / "template.yaml"
DEPLOY_SCRIPT = REPO / "deploy" / "deploy.sh"
SERVICES = ("extractor", "transformer", "cataloger")
"""The services deploy.sh builds an image of and the template (and compose) runs."""

STACK = "spotify-etl"
ACCOUNT = "123456789012"
REGION = "us-east-1"
PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::StackName": STACK,
    "AWS::URLSuffix": "amazonaws.com",
}
SAMPLE_PARAMETERS = {
    "VpcId": "vpc-0123456789abcdef0",
    "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "ExtractorImageTag": "0123abc",
    "TransformerImageTag": "0123abc",
    "CatalogerImageTag": "0123abc",
    "ExtractorPlaylists": "3cEYpjA9oz9GiPac4AsH4n",
    "OperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/spotify-etl-operator",
}
"""Values of parameters without a default (and a non-empty playlist list)."""


class _TemplateLoader(yaml.SafeLoader):
    """YAML loader that reads CloudFormation short forms (``!Ref``, ``!Sub``...)."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    if suffix == "Condition":
        return {"Condition": value}
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain data (short-form tags become ``Fn::``/``Ref`` maps)."""
    loaded = yaml.load(path.read_text(), Loader=_TemplateLoader)
    assert isinstance(loaded, dict)
    return loaded


@dataclass(frozen=True)
class Resolver:
    """Resolves intrinsic functions of one template to sample values."""

    template: Mapping[str, Any]

    def parameter(self, name: str) -> Any:
        if name in SAMPLE_PARAMETERS:
            return SAMPLE_PARAMETERS[name]
        return self.template["Parameters"][name]["Default"]

    def physical_name(self, logical_id: str) -> str:
        """The resource's name property if set, else CloudFormation's generated form."""
        resource = self.template["Resources"][logical_id]
        props = resource.get("Properties", {})
        for key in ("QueueName", "RoleName", "LogGroupName", "ClusterName", "TopicName", "Name"):
            if key in props:
                return str(self.resolve(props[key]))
        if resource["Type"] == "AWS::ECS::TaskDefinition":
            return str(self.resolve(props["Family"]))
        if resource["Type"] == "AWS::Glue::Database":
            return str(self.resolve(props["DatabaseInput"]["Name"]))
        if resource["Type"] == "AWS::ECS::Service":
            return str(self.resolve(props["ServiceName"]))
        if resource["Type"] == "AWS::KMS::Key":
            return f"{logical_id.lower()}-0000-1111-2222-333344445555"
        return f"{STACK}-{logical_id.lower()}-abc123"

    def arn(self, logical_id: str) -> str:
        kind = self.template["Resources"][logical_id]["Type"]
        name = self.physical_name(logical_id)
        arns = {
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}",
            "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*",
            "AWS::ECS::Cluster": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}",
            "AWS::ECS::TaskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{name}:1",
            "AWS::SecretsManager::Secret": (
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf"
            ),
            "AWS::SNS::Topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}",
            "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{name}",
            "AWS::Events::Rule": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}",
        }
        return arns.get(kind, f"arn:aws:unknown:{REGION}:{ACCOUNT}:{name}")

    def ref(self, name: str) -> Any:
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        kind = self.template["Resources"][name]["Type"]
        if kind in {"AWS::SecretsManager::Secret", "AWS::SNS::Topic", "AWS::ECS::TaskDefinition"}:
            return self.arn(name)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.physical_name(name)}"
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(logical_id)
        return self.physical_name(logical_id)

    def substitute(self, text: str, variables: Mapping[str, Any]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".")[0] in self.template["Resources"]:
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            return str(self.ref(name))

        return re.sub(r"\$\{([A-Za-z0-9:.]+)\}", one, text)

    def resolve(self, node: Any) -> Any:
        """``node`` with every intrinsic function replaced by its sample value."""
        if isinstance(node, list):
            return [v for v in (self.resolve(item) for item in node) if v is not _NO_VALUE]
        if not isinstance(node, Mapping):
            return node
        if len(node) == 1:
            (key, value), *_ = node.items()
            if key == "Ref":
                return _NO_VALUE if value == "AWS::NoValue" else self.ref(value)
            if key == "Fn::GetAtt":
                parts = value if isinstance(value, list) else value.split(".", 1)
                return self.get_att(parts[0], parts[1])
            if key == "Fn::Sub":
                if isinstance(value, list):
                    variables = {k: self.resolve(v) for k, v in value[1].items()}
                    return self.substitute(value[0], variables)
                return self.substitute(value, {})
            if key == "Fn::If":
                condition, when_true, when_false = value
                return self.resolve(when_true if self.condition(condition) else when_false)
            if key == "Fn::Join":
                return value[0].join(str(v) for v in self.resolve(value[1]))
        return {
            k: v for k, v in ((k, self.resolve(v)) for k, v in node.items()) if v is not _NO_VALUE
        }

    def condition(self, name: str) -> bool:
        return bool(self._evaluate(self.template["Conditions"][name]))

    def _evaluate(self, node: Any) -> Any:
        if isinstance(node, Mapping) and len(node) == 1:
            (key, value), *_ = node.items()
            if key == "Fn::Not":
                return not self._evaluate(value[0])
            if key == "Fn::Equals":
                return self.resolve(value[0]) == self.resolve(value[1])
            if key == "Condition":
                return self.condition(value)
        return self.resolve(node)


class _NoValue:
    """Marker of ``Ref: AWS::NoValue``: the property or list item is dropped."""


_NO_VALUE = _NoValue()


@dataclass(frozen=True)
class Policy:
    """One policy document of the template, resolved."""

    owner: str
    name: str
    document: dict[str, Any]

    @property
    def statements(self) -> list[dict[str, Any]]:
        """The document's statements (one statement may be given without a list)."""
        return as_list(self.document["Statement"])


def resources_of_type(template: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Logical id to resource, for every resource of one type."""
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def policies(template: Mapping[str, Any]) -> Iterator[Policy]:
    """Every identity, resource and key policy of the template, intrinsics resolved.

    A role's policies are its inline ones and every ``AWS::IAM::Policy`` attached to it
    (their owner is the role, so :func:`role_allows` sees them).
    """
    resolver = Resolver(template)
    for logical_id, role in resources_of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            name = policy["PolicyName"]
            yield Policy(logical_id, name, resolver.resolve(policy["PolicyDocument"]))
    for resource in resources_of_type(template, "AWS::IAM::Policy").values():
        props = resource["Properties"]
        for role in props["Roles"]:
            yield Policy(
                role["Ref"], props["PolicyName"], resolver.resolve(props["PolicyDocument"])
            )
    for kind in ("AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"):
        for logical_id, resource in resources_of_type(template, kind).items():
            document = resolver.resolve(resource["Properties"]["PolicyDocument"])
            yield Policy(logical_id, "resource-policy", document)
    for logical_id, resource in resources_of_type(
        template, "AWS::SecretsManager::ResourcePolicy"
    ).items():
        document = resolver.resolve(resource["Properties"]["ResourcePolicy"])
        yield Policy(logical_id, "resource-policy", document)
    for logical_id, resource in resources_of_type(template, "AWS::KMS::Key").items():
        document = resolver.resolve(resource["Properties"]["KeyPolicy"])
        yield Policy(logical_id, "key-policy", document)


def as_list(value: Any) -> list[Any]:
    """``value`` itself if a list, else a list of it (IAM and CloudFormation's either-or)."""
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str) -> bool:
    regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, value, flags=re.IGNORECASE) is not None


def statement_actions(statement: Mapping[str, Any]) -> list[str]:
    """The actions a statement names (none for a NotAction statement)."""
    return as_list(statement.get("Action", []))


def role_allows(template: Mapping[str, Any], role: str, action: str, resource: str) -> bool:
    """Whether an Allow statement of the role's inline policies matches action and resource.

    Conditions are ignored (so this over-approximates what is allowed): a False
    answer means no statement could allow it.
    """
    for policy in policies(template):
        if policy.owner != role:
            continue
        for statement in policy.statements:
            if statement["Effect"] != "Allow":
                continue
            actions = as_list(statement.get("Action", []))
            resources = as_list(statement.get("Resource", []))
            if any(_matches(a, action) for a in actions) and any(
                _matches(r, resource) for r in resources
            ):
                return True
    return False
