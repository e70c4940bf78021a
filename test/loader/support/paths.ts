export { kernelUnavailableReason } from '../../support/env.js';
export { REPO_ROOT as REPO_ROOT_FOR_TESTS } from '../../support/cli.js';
