/* Action patterns that name one action or end in their only '*' are matched
 * by comparing bytes (action_pattern_matches); they must agree with the
 * glob matcher on every action, and the kinds must be chosen as intended. */
#include "check.h"
#include "internal.h"

static const char *const patterns[] = {
    "s3:GetObject", "S3:getobject", "s3:Get*", "s3:Get**", "s3:*", "iam:*AccessKey*", "s3:Get?bject", "s3:*Object",
    "ec2:Describe*s", "kms:Re*", "s3:GetObject*", "sts:AssumeRole", "a:b*c*",
};
static const char *const actions[] = {
    "s3:getobject", "s3:getobjectacl", "s3:get", "s3:", "s3:putobject", "iam:listaccesskeys", "iam:createaccesskey",
    "ec2:describeinstances", "ec2:describeinstance", "kms:reencrypt", "sts:assumerole", "a:bc", "a:bxcx", "s3x:getobject",
};

int main(void)
{
    glob_scratch *gs = glob_scratch_create();
    unsigned kinds[4] = {0};
    for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
        char text[256];
        int n = snprintf(text, sizeof text,
                         "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"%s\",\"Resource\":\"*\"}}",
                         patterns[p]);
        iam_policy *pol;
        CHECK(iam_policy_parse(&pol, text, (size_t)n, IAM_POLICY_IDENTITY, "t", NULL, NULL) == IAM_OK);
        const action_pattern *ap = &pol->statements[0].actions[0];
        kinds[ap->kind]++;
        iam_glob *g = glob_compile(ap->folded, ap->folded_len, GLOB_PLAIN);
        CHECK(g != NULL);
        for (size_t a = 0; a < sizeof actions / sizeof *actions; a++) {
            size_t len = strlen(actions[a]);
            bool fast = action_pattern_matches(ap, actions[a], len, gs);
            bool slow = glob_match(g, actions[a], len, gs);
            if (fast != slow)
                fprintf(stderr, "%s vs %s: %d, glob %d\n", patterns[p], actions[a], fast, slow);
            CHECK(fast == slow);
        }
        glob_free(g);
        iam_policy_free(pol);
    }
    CHECK_INT(kinds[AP_EXACT], 3);
    CHECK_INT(kinds[AP_PREFIX], 5);
    CHECK_INT(kinds[AP_GLOB], 5);
    glob_scratch_free(gs);
    return check_report();
}
