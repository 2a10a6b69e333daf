#!/usr/bin/env bash
# Build the service images, push them to ECR and deploy the CloudFormation stack.
# Runbook: deploy/README.md.
#
#   VPC_ID=vpc-... SUBNET_IDS=subnet-a,subnet-b deploy/deploy.sh [options] [Key=Value ...]
#
# Options:
#   --stack NAME              stack name (default $STACK or spotify-etl)
#   --region REGION           AWS region (default $AWS_REGION, else the CLI's configured region)
#   --tag TAG                 image tag (default: the git commit, plus -dirty for uncommitted changes)
#   --artifacts-bucket NAME   bucket the template is uploaded to (default $ARTIFACTS_BUCKET or
#                             <stack>-artifacts-<account>-<region>; created once if missing)
#   --skip-build              deploy images already in ECR under --tag (rollback, parameter changes)
#   --dry-run                 print the commands instead of running them
#   --print-grant-policy TASK_ROLE_ARN OPERATOR_ROLE_ARN
#                             print the resource policy of a Spotify grant secret and exit
#   -h, --help                this text
# Key=Value arguments override template parameters (e.g. TransformerMaxTasks=20
# ExtractorScheduleState=DISABLED AlarmEmail=ops@example.com); on an update every parameter
# not given keeps its previous value, as with `aws cloudformation deploy`.
# OperatorRoleArn (the role the Spotify secrets serve besides the extractor's) is the role this
# script runs as, unless OPERATOR_ROLE_ARN or OperatorRoleArn=... names another; an update keeps
# the stack's. After the stack, every secret under SpotifyUserSecretPrefix (the household's
# grants, made by `extractor auth --store --user NAME`) gets the grant key and that policy.
#
# The template is larger than the 51,200 bytes CloudFormation takes inline, so it is uploaded
# to the artifacts bucket and deployed by URL (up to 1,000,000 bytes) through a change set:
# create-change-set --template-url, wait, execute-change-set, wait (deploy/README.md, "How
# deploy.sh ships the template").
set -euo pipefail
# AWS CLI v2 pipes output through a pager (less) when stdout is a terminal, which would stop
# the script at the outputs table until someone presses q; v1 has no pager. Same for both.
export AWS_PAGER=""

SERVICES=(extractor transformer cataloger)
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEMPLATE="$REPO_ROOT/deploy/template.yaml"
MAX_TEMPLATE_URL_BYTES=1000000 # CloudFormation's limit for a template read from S3 (1 MB)
STACK="${STACK:-spotify-etl}"
REGION="${AWS_REGION:-}"
TAG="${IMAGE_TAG:-}"
PREFIX="${IMAGE_REPOSITORY_PREFIX:-spotify-etl}"
ARTIFACTS="${ARTIFACTS_BUCKET:-}"
BUILD=1
DRY_RUN=0
OVERRIDES=()

usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail() { echo "deploy.sh: $*" >&2; exit 2; }
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}
run_quiet() { if [ "$DRY_RUN" = 1 ]; then run "$@"; else "$@" >/dev/null; fi; }
json_string() { local s=$1; s=${s//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

# The resource policy of a Spotify grant secret: the same document as the template's
# SpotifyRefreshTokenSecretPolicy (tests/deploy/test_deploy_script.py compares them), for any
# secret ("Resource": "*" is the secret the policy is put on).
grant_secret_policy() { # <extractor task role ARN> <operator role ARN>
  printf '%s' '{"Version":"2012-10-17","Statement":[{"Sid":"OnlyTheExtractorAndTheOperatorTouchTheValue",' \
    '"Effect":"Deny","Principal":"*","Action":["secretsmanager:GetSecretValue",' \
    '"secretsmanager:PutSecretValue","secretsmanager:UpdateSecret",' \
    '"secretsmanager:UpdateSecretVersionStage","secretsmanager:RotateSecret"],"Resource":"*",' \
    '"Condition":{"ArnNotEquals":{"aws:PrincipalArn":[' "$(json_string "$1")" ',' \
    "$(json_string "$2")" ']}}}]}'
  printf '\n'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --stack) STACK="${2:?--stack needs a name}"; shift 2 ;;
    --region) REGION="${2:?--region needs a region}"; shift 2 ;;
    --tag) TAG="${2:?--tag needs a tag}"; shift 2 ;;
    --artifacts-bucket) ARTIFACTS="${2:?--artifacts-bucket needs a name}"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --print-grant-policy)
      grant_secret_policy "${2:?--print-grant-policy needs the extractor task role ARN}" \
        "${3:?--print-grant-policy needs the operator role ARN}"
      exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *=*) OVERRIDES+=("$1"); shift ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done

[ -n "${VPC_ID:-}" ] || fail "set VPC_ID to the VPC of the task subnets (e.g. VPC_ID=vpc-0abc...)"
[ -n "${SUBNET_IDS:-}" ] || fail "set SUBNET_IDS to comma-separated subnet ids (e.g. subnet-a,subnet-b)"
TEMPLATE_BYTES=$(wc -c <"$TEMPLATE" | tr -d ' ')
[ "$TEMPLATE_BYTES" -le "$MAX_TEMPLATE_URL_BYTES" ] ||
  fail "deploy/template.yaml is $TEMPLATE_BYTES bytes, over the $MAX_TEMPLATE_URL_BYTES CloudFormation reads from S3: split it into nested stacks"
if [ -z "$TAG" ]; then
  TAG="$(git -C "$REPO_ROOT" rev-parse --short=12 HEAD)"
  if [ -n "$(git -C "$REPO_ROOT" status --porcelain)" ]; then
    [ "$BUILD" = 1 ] || fail "uncommitted changes and --skip-build: pass the --tag to deploy"
    TAG="$TAG-dirty-$(date -u +%Y%m%d%H%M%S)"
  fi
fi
if [ -z "$REGION" ]; then
  REGION="$(aws configure get region || true)"
  [ -n "$REGION" ] || fail "no region: pass --region or set AWS_REGION"
fi
export AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"
case "$REGION" in
  cn-*) PARTITION=aws-cn; URL_SUFFIX=amazonaws.com.cn ;;
  us-gov-*) PARTITION=aws-us-gov; URL_SUFFIX=amazonaws.com ;;
  *) PARTITION=aws; URL_SUFFIX=amazonaws.com ;;
esac

if [ "$DRY_RUN" = 1 ]; then
  ACCOUNT="123456789012"
  CALLER_ARN="arn:$PARTITION:sts::$ACCOUNT:assumed-role/operator/dry-run"
else
  IDENTITY="$(aws sts get-caller-identity --query '[Account,Arn]' --output text)"
  ACCOUNT="${IDENTITY%%$'\t'*}"
  CALLER_ARN="${IDENTITY#*$'\t'}"
fi
REGISTRY="$ACCOUNT.dkr.ecr.$REGION.$URL_SUFFIX"
if [ -z "$ARTIFACTS" ]; then
  ARTIFACTS="$(printf '%s' "$STACK-artifacts-$ACCOUNT-$REGION" | tr '[:upper:]' '[:lower:]')"
fi
[ "${#ARTIFACTS}" -le 63 ] ||
  fail "artifacts bucket name '$ARTIFACTS' is over 63 characters: pass --artifacts-bucket"
echo "stack $STACK in $REGION, images $REGISTRY/$PREFIX/<service>:$TAG" >&2

# ---------------------------------------------------------------- images
dockerfile_of() { echo "$REPO_ROOT/services/$1/Dockerfile"; }

image_exists() {
  aws ecr describe-images --repository-name "$PREFIX/$1" --image-ids "imageTag=$TAG" \
    >/dev/null 2>&1
}

if [ "$BUILD" = 1 ]; then
  for service in "${SERVICES[@]}"; do
    if [ "$DRY_RUN" = 1 ] || ! aws ecr describe-repositories \
      --repository-names "$PREFIX/$service" >/dev/null 2>&1; then
      run aws ecr create-repository --repository-name "$PREFIX/$service" \
        --image-tag-mutability IMMUTABLE --image-scanning-configuration scanOnPush=true \
        --encryption-configuration encryptionType=AES256 \
        --query repository.repositoryUri --output text
    fi
  done
  if [ "$DRY_RUN" = 1 ]; then
    run aws ecr get-login-password
    run docker login --username AWS --password-stdin "$REGISTRY"
  else
    aws ecr get-login-password | docker login --username AWS --password-stdin "$REGISTRY"
  fi
  for service in "${SERVICES[@]}"; do
    image="$REGISTRY/$PREFIX/$service:$TAG"
    if [ "$DRY_RUN" = 0 ] && image_exists "$service"; then
      echo "$image already in ECR (tags are immutable): not rebuilt" >&2
      continue
    fi
    run docker build --platform linux/amd64 --file "$(dockerfile_of "$service")" \
      --tag "$image" "$REPO_ROOT"
    run docker push "$image"
  done
elif [ "$DRY_RUN" = 0 ]; then
  for service in "${SERVICES[@]}"; do
    image_exists "$service" || fail "$PREFIX/$service:$TAG is not in ECR (drop --skip-build?)"
  done
fi

# ---------------------------------------------------------------- artifacts bucket
# Private (public access block, bucket-owner ownership), SSE-S3, TLS-only (tls_only_policy),
# old templates expire. Created once; the settings are put again on every deploy (idempotent),
# so a bucket whose creation was interrupted still ends up locked down.
ensure_artifacts_bucket() {
  local head
  if [ "$DRY_RUN" = 0 ] && head="$(aws s3api head-bucket --bucket "$ARTIFACTS" \
    --expected-bucket-owner "$ACCOUNT" 2>&1)"; then
    # CloudFormation reads the template from a bucket in the stack's region; the URL below
    # names $REGION, so a bucket elsewhere (an --artifacts-bucket) would not resolve.
    local location
    location="$(aws s3api get-bucket-location --bucket "$ARTIFACTS" \
      --expected-bucket-owner "$ACCOUNT" --query LocationConstraint --output text)"
    case "$location" in None|null|"") location=us-east-1 ;; EU) location=eu-west-1 ;; esac
    [ "$location" = "$REGION" ] ||
      fail "artifacts bucket s3://$ARTIFACTS is in $location, the stack in $REGION: pass an --artifacts-bucket in $REGION"
  elif [ "$DRY_RUN" = 1 ] || [[ "$head" == *"(404)"* || "$head" == *"Not Found"* ]]; then
    echo "creating the artifacts bucket s3://$ARTIFACTS" >&2
    # us-east-1 takes no LocationConstraint (CreateBucket refuses "us-east-1" there).
    if [ "$REGION" = us-east-1 ]; then
      run_quiet aws s3api create-bucket --bucket "$ARTIFACTS" --object-ownership BucketOwnerEnforced
    else
      run_quiet aws s3api create-bucket --bucket "$ARTIFACTS" --object-ownership BucketOwnerEnforced \
        --create-bucket-configuration "LocationConstraint=$REGION"
    fi
  else
    fail "artifacts bucket s3://$ARTIFACTS exists but is not this account's ($head): pass --artifacts-bucket"
  fi
  run aws s3api put-public-access-block --bucket "$ARTIFACTS" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  run aws s3api put-bucket-encryption --bucket "$ARTIFACTS" --server-side-encryption-configuration \
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}'
  run aws s3api put-bucket-lifecycle-configuration --bucket "$ARTIFACTS" --lifecycle-configuration \
    '{"Rules":[{"ID":"expire-templates","Status":"Enabled","Filter":{"Prefix":"templates/"},"Expiration":{"Days":90}}]}'
}

tls_only_policy() {
  run aws s3api put-bucket-policy --bucket "$ARTIFACTS" --policy "$(printf '%s' \
    '{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny",' \
    '"Principal":"*","Action":"s3:*","Resource":["arn:'"$PARTITION"':s3:::'"$ARTIFACTS"'",' \
    '"arn:'"$PARTITION"':s3:::'"$ARTIFACTS"'/*"],' \
    '"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}')"
}

ensure_artifacts_bucket
KEY="templates/$STACK/$(date -u +%Y%m%dT%H%M%SZ)-$TAG.yaml"
run_quiet aws s3api put-object --bucket "$ARTIFACTS" --key "$KEY" --body "$TEMPLATE" \
  --server-side-encryption AES256
# The TLS-only policy goes on after the upload (put again on every deploy). On AWS the order
# changes nothing (this script speaks HTTPS, the bucket is private either way); moto applies a
# conditional Deny as if it had no condition, so there the first upload still goes through.
tls_only_policy
# AWS's own regional virtual-hosted form, never the AWS_ENDPOINT_URL one: CloudFormation
# (and moto's, in the tests) resolves bucket and key from this URL.
TEMPLATE_URL="https://$ARTIFACTS.s3.$REGION.$URL_SUFFIX/$KEY"
echo "template ($TEMPLATE_BYTES bytes) uploaded to $TEMPLATE_URL" >&2

# ---------------------------------------------------------------- change set
# Only "does not exist" means a first deploy: any other error (credentials, throttling) stops
# here, or a CREATE change set would be tried on a live stack.
stack_status() {
  local out err
  err="$(mktemp)"
  if out="$(aws cloudformation describe-stacks --stack-name "$STACK" \
    --query 'Stacks[0].StackStatus' --output text 2>"$err")"; then
    rm -f "$err"
    printf '%s\n' "$out"
  elif grep -q "does not exist" "$err"; then
    rm -f "$err"
    echo NONE
  else
    out="$(tr '\n' ' ' <"$err")"
    rm -f "$err"
    fail "cannot read stack $STACK: $out"
  fi
}
if [ "$DRY_RUN" = 1 ]; then
  STATUS=NONE
else
  STATUS="$(stack_status)"
fi
case "$STATUS" in
  NONE|REVIEW_IN_PROGRESS) CHANGE_SET_TYPE=CREATE ;;
  ROLLBACK_COMPLETE|ROLLBACK_FAILED|DELETE_FAILED)
    fail "stack $STACK is $STATUS (its first create failed, or its deletion): it cannot be updated; read its events (aws cloudformation describe-stack-events --stack-name $STACK), then \`aws cloudformation delete-stack --stack-name $STACK\` and deploy again (deploy/README.md, Roll back)" ;;
  UPDATE_ROLLBACK_FAILED)
    fail "stack $STACK is UPDATE_ROLLBACK_FAILED: fix what its events name, then \`aws cloudformation continue-update-rollback --stack-name $STACK\` and deploy again" ;;
  *_IN_PROGRESS) fail "stack $STACK is $STATUS: wait until it settles, then deploy again" ;;
  *) CHANGE_SET_TYPE=UPDATE ;;
esac

GIVEN=" " # the parameter keys this run sets (a string: macOS ships bash 3.2, no assoc arrays)
previous="" # the stack's parameters before an update
PARAMETERS=()
give() { GIVEN="$GIVEN$1 "; PARAMETERS+=("{\"ParameterKey\":$(json_string "$1"),\"ParameterValue\":$(json_string "$2")}"); }
give VpcId "$VPC_ID"
give SubnetIds "$SUBNET_IDS"
give ImageRepositoryPrefix "$PREFIX"
give ExtractorImageTag "$TAG"
give TransformerImageTag "$TAG"
give CatalogerImageTag "$TAG"
for override in ${OVERRIDES[@]+"${OVERRIDES[@]}"}; do
  give "${override%%=*}" "${override#*=}"
done
if [ "$CHANGE_SET_TYPE" = UPDATE ]; then
  # As `aws cloudformation deploy` does: a parameter this run does not set keeps the stack's
  # value (AlarmEmail, sizes, schedule...). Only values that differ from the template's
  # default need UsePreviousValue; the others come out the same from the default.
  defaults="$(aws cloudformation get-template-summary --template-url "$TEMPLATE_URL" \
    --query 'Parameters[].[ParameterKey,DefaultValue]' --output text)"
  # Read into a variable first: a failure inside `done < <(...)` escapes set -e, and the
  # update would then silently reset every parameter not given to its default.
  previous="$(aws cloudformation describe-stacks --stack-name "$STACK" \
    --query 'Stacks[0].Parameters[].[ParameterKey,ParameterValue]' --output text)"
  while IFS=$'\t' read -r key value; do
    [ -n "$key" ] || continue
    [[ "$GIVEN" != *" $key "* ]] || continue
    default_line="$(printf '%s\n' "$defaults" | awk -F'\t' -v k="$key" '$1 == k' | head -n 1)"
    if [ -z "$default_line" ]; then
      continue # no longer a parameter of the template
    fi
    if [ "$default_line" != "$key"$'\t'"$value" ]; then
      PARAMETERS+=("{\"ParameterKey\":$(json_string "$key"),\"UsePreviousValue\":true}")
    fi
  done <<<"$previous"
fi
# ---------------------------------------------------------------- the operator role
# CloudFormation writes the Spotify secrets as the deploying principal, and their key and
# policies serve only the extractor and OperatorRoleArn: by default that is the role running
# this script (its path read with iam get-role when allowed).
role_of_caller() {
  case "$CALLER_ARN" in
    arn:*:sts::*:assumed-role/*/*)
      local name arn
      name="${CALLER_ARN#*:assumed-role/}"
      name="${name%%/*}"
      arn=""
      [ "$DRY_RUN" = 1 ] ||
        arn="$(aws iam get-role --role-name "$name" --query Role.Arn --output text 2>/dev/null)" ||
        arn=""
      case "$arn" in arn:*) ;; *) arn="arn:$PARTITION:iam::$ACCOUNT:role/$name" ;; esac
      printf '%s\n' "$arn" ;;
    *) return 1 ;;
  esac
}
if [[ "$GIVEN" != *" OperatorRoleArn "* ]]; then
  if [ -n "${OPERATOR_ROLE_ARN:-}" ]; then
    give OperatorRoleArn "$OPERATOR_ROLE_ARN"
  elif [ "$CHANGE_SET_TYPE" = CREATE ] || [[ "$previous" != *OperatorRoleArn* ]]; then
    operator="$(role_of_caller)" ||
      fail "no OperatorRoleArn: run as the operator role (you run as $CALLER_ARN), or set OPERATOR_ROLE_ARN=arn:$PARTITION:iam::$ACCOUNT:role/<name> (deploy/README.md, First deploy)"
    echo "OperatorRoleArn: $operator (the role this runs as)" >&2
    give OperatorRoleArn "$operator"
  fi
fi
PARAMETERS_JSON="[$(IFS=,; echo "${PARAMETERS[*]}")]"

CHANGE_SET="deploy-$(date -u +%Y%m%d%H%M%S)-${TAG//[^a-zA-Z0-9-]/-}"
CHANGE_SET="${CHANGE_SET:0:128}"
run_quiet aws cloudformation create-change-set \
  --stack-name "$STACK" \
  --change-set-name "$CHANGE_SET" \
  --change-set-type "$CHANGE_SET_TYPE" \
  --template-url "$TEMPLATE_URL" \
  --capabilities CAPABILITY_IAM \
  --tags Key=project,Value=spotify-etl "Key=image-tag,Value=$TAG" \
  --parameters "$PARAMETERS_JSON"

if [ "$DRY_RUN" = 1 ]; then
  run aws cloudformation wait change-set-create-complete \
    --stack-name "$STACK" --change-set-name "$CHANGE_SET"
  CREATED=1
elif aws cloudformation wait change-set-create-complete \
  --stack-name "$STACK" --change-set-name "$CHANGE_SET" 2>/dev/null; then
  CREATED=1
else
  CREATED=0
fi
if [ "$CREATED" = 0 ]; then
  reason="$(aws cloudformation describe-change-set --stack-name "$STACK" \
    --change-set-name "$CHANGE_SET" --query StatusReason --output text)"
  if [[ "$reason" == *"didn't contain changes"* || "$reason" == *"No updates are to be performed"* ]]; then
    echo "stack $STACK is up to date: nothing to deploy" >&2
    aws cloudformation delete-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET"
  else
    # A failed change set stays listed on the stack; a failed CREATE one also leaves an empty
    # REVIEW_IN_PROGRESS stack (no resources). Remove what this run made, then say why.
    aws cloudformation delete-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET" ||
      true
    if [ "$CHANGE_SET_TYPE" = CREATE ]; then
      aws cloudformation delete-stack --stack-name "$STACK" || true
    fi
    fail "change set $CHANGE_SET failed (deleted, nothing was changed): $reason"
  fi
else
  run aws cloudformation execute-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET"
  waiter=stack-update-complete
  [ "$CHANGE_SET_TYPE" = CREATE ] && waiter=stack-create-complete
  if ! run aws cloudformation wait "$waiter" --stack-name "$STACK"; then
    aws cloudformation describe-stack-events --stack-name "$STACK" --max-items 100 \
      --query "StackEvents[?contains(ResourceStatus, 'FAILED')].[LogicalResourceId,ResourceStatus,ResourceStatusReason]" \
      --output table >&2 || true
    now="$(stack_status)"
    case "$now" in
      *_IN_PROGRESS) advice="still $now (the waiter gave up after an hour): watch its events" ;;
      ROLLBACK_COMPLETE) advice="ROLLBACK_COMPLETE: delete it before deploying again (deploy/README.md, Roll back)" ;;
      *) advice="now $now" ;;
    esac
    echo "deploy.sh: stack $STACK did not reach ${waiter#stack-} (failed events above); it is $advice" >&2
    exit 1
  fi
fi

# ---------------------------------------------------------------- the household's grants
secure_household_grants() {
  local resources task_role key_id settings operator prefix key_arn policy listed arn current name
  if [ "$DRY_RUN" = 1 ]; then
    run aws secretsmanager list-secrets --filters "Key=name,Values=<SpotifyUserSecretPrefix>"
    return
  fi
  resources="$(aws cloudformation list-stack-resources --stack-name "$STACK" --query \
    "StackResourceSummaries[?LogicalResourceId=='ExtractorTaskRole' || LogicalResourceId=='GrantKey'].[LogicalResourceId,PhysicalResourceId]" \
    --output text)"
  task_role="$(printf '%s\n' "$resources" | awk -F'\t' '$1 == "ExtractorTaskRole" {print $2}')"
  key_id="$(printf '%s\n' "$resources" | awk -F'\t' '$1 == "GrantKey" {print $2}')"
  settings="$(aws cloudformation describe-stacks --stack-name "$STACK" \
    --query 'Stacks[].Parameters[].[ParameterKey,ParameterValue]' --output text)"
  operator="$(printf '%s\n' "$settings" | awk -F'\t' '$1 == "OperatorRoleArn" {print $2}')"
  prefix="$(printf '%s\n' "$settings" | awk -F'\t' '$1 == "SpotifyUserSecretPrefix" {print $2}')"
  [ -n "$task_role" ] && [ -n "$key_id" ] && [ -n "$operator" ] && [ -n "$prefix" ] ||
    fail "cannot read the extractor task role, the grant key, OperatorRoleArn or SpotifyUserSecretPrefix of stack $STACK: the household's grant secrets were not secured (run deploy.sh again)"
  case "$key_id" in arn:*) key_arn="$key_id" ;; *) key_arn="arn:$PARTITION:kms:$REGION:$ACCOUNT:key/$key_id" ;; esac
  policy="$(grant_secret_policy "arn:$PARTITION:iam::$ACCOUNT:role/$task_role" "$operator")"
  listed="$(aws secretsmanager list-secrets --filters "Key=name,Values=$prefix" \
    --query 'SecretList[].[ARN,KmsKeyId,Name]' --output text)"
  while IFS=$'\t' read -r arn current name; do
    case "$arn" in arn:*) ;; *) continue ;; esac
    case "$name" in "$prefix"*) ;; *) continue ;; esac
    if [ "$current" != "$key_arn" ] && [ "$current" != "$key_id" ]; then
      aws secretsmanager update-secret --secret-id "$arn" --kms-key-id "$key_arn" >/dev/null
    fi
    aws secretsmanager put-resource-policy --secret-id "$arn" --resource-policy "$policy" \
      --block-public-policy >/dev/null
    echo "grant secret $name: encrypted with the grant key, value for the extractor and $operator only" >&2
  done <<<"$listed"
}
secure_household_grants

run aws cloudformation describe-stacks --stack-name "$STACK" \
  --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output table
