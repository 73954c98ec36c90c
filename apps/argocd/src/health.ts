/**
 * Argo CD stopped assessing the health of Application objects in 1.8. Without this, an
 * app-of-apps' sync waves do not wait for a child Application to become healthy before the
 * next wave starts. The script reports a child's own health once it has one.
 */
export const applicationHealthLua = `local hs = { status = "Progressing", message = "" }
if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
`;

export const applicationHealthKey = 'resource.customizations.health.argoproj.io_Application';
