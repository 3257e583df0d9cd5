// Name and id shapes shared by the policy schema and the slash-command parser, so that
// anything the policy accepts can also be typed in a command.

/** Atlas project (group) id: 24 hex digits. */
export const PROJECT_ID_PATTERN = /^[0-9a-fA-F]{24}$/;

/** Policy name of a project, used in commands as `project/cluster`: no slash, no spaces. */
export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Atlas cluster / flex cluster / serverless instance name: ASCII letters, digits, hyphens; ≤ 64. */
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** Atlas snapshot id (an ObjectId). */
export const SNAPSHOT_ID_PATTERN = /^[0-9a-fA-F]{24}$/;

export const SLACK_USER_ID_PATTERN = /^[UW][A-Z0-9]+$/;
export const SLACK_GROUP_ID_PATTERN = /^S[A-Z0-9]+$/;
export const SLACK_CHANNEL_ID_PATTERN = /^[CGD][A-Z0-9]+$/;

export function isSlackGroupId(id: string): boolean {
  return SLACK_GROUP_ID_PATTERN.test(id);
}
