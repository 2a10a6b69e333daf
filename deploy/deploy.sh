#!/usr/bin/env bash
# Build the service images, push them to ECR and deploy the CloudFormation stack.
# Runbook: deploy/README.md.
#
#   VPC_ID=vpc-... SUBNET_IDS=subnet-a,subnet-b deploy/deploy.sh [options] [Key=Value ...]
#
# Options:
#   --stack NAME      stack name (default $STACK or spotify-etl)
#   --region REGION   AWS region (default $AWS_REGION, else the CLI's configured region)
#   --tag TAG         image tag (default: the git commit, plus -dirty for uncommitted changes)
#   --skip-build      deploy images already in ECR under --tag (rollback, parameter changes)
#   --dry-run         print the commands instead of running them
#   -h, --help        this text
# Key=Value arguments are passed to `aws cloudformation deploy --parameter-overrides`
# (e.g. TransformerMaxTasks=20 ExtractorScheduleState=DISABLED AlarmEmail=ops@example.com).
set -euo pipefail

SERVICES=(extractor transformer cataloger)
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEMPLATE="$REPO_ROOT/deploy/template.yaml"
STACK="${STACK:-spotify-etl}"
REGION="${AWS_REGION:-}"
TAG="${IMAGE_TAG:-}"
PREFIX="${IMAGE_REPOSITORY_PREFIX:-spotify-etl}"
BUILD=1
DRY_RUN=0
OVERRIDES=()

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail() { echo "deploy.sh: $*" >&2; exit 2; }
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --stack) STACK="${2:?--stack needs a name}"; shift 2 ;;
    --region) REGION="${2:?--region needs a region}"; shift 2 ;;
    --tag) TAG="${2:?--tag needs a tag}"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *=*) OVERRIDES+=("$1"); shift ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done

[ -n "${VPC_ID:-}" ] || fail "set VPC_ID to the VPC of the task subnets (e.g. VPC_ID=vpc-0abc...)"
[ -n "${SUBNET_IDS:-}" ] || fail "set SUBNET_IDS to comma-separated subnet ids (e.g. subnet-a,subnet-b)"
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

if [ "$DRY_RUN" = 1 ]; then
  ACCOUNT="123456789012"
else
  ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
fi
REGISTRY="$ACCOUNT.dkr.ecr.$REGION.amazonaws.com"
echo "stack $STACK in $REGION, images $REGISTRY/$PREFIX/<service>:$TAG" >&2

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

run aws cloudformation deploy \
  --stack-name "$STACK" \
  --template-file "$TEMPLATE" \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --tags project=spotify-etl "image-tag=$TAG" \
  --parameter-overrides \
  "VpcId=$VPC_ID" \
  "SubnetIds=$SUBNET_IDS" \
  "ImageRepositoryPrefix=$PREFIX" \
  "ExtractorImageTag=$TAG" \
  "TransformerImageTag=$TAG" \
  "CatalogerImageTag=$TAG" \
  ${OVERRIDES[@]+"${OVERRIDES[@]}"}

run aws cloudformation describe-stacks --stack-name "$STACK" \
  --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output table
