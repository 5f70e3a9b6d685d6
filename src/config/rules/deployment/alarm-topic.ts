// CloudWatch alarm actions notify topics in the alarm's own Region only.
import { SNS_TOPIC_ARN } from '../../model.ts';
import { defineRule } from '../rule.ts';

export const alarmTopic = defineRule({
  name: 'alarm-topic',
  group: 'deployment',
  reads: ['deployment'],
  codes: {
    'alarm-topic-region': {
      severity: 'error',
      summary: "`alarms.topicArn` is a topic in another Region than the environment's",
    },
  },
  check({ deployment }, _context, report) {
    deployment.environments.forEach((env, index) => {
      const topic = env.alarms.topicArn;
      const region = topic ? SNS_TOPIC_ARN.exec(topic)?.groups?.region : undefined;
      if (!region || region === env.region) return;
      report(
        'alarm-topic-region',
        { part: 'deployment', path: ['environments', index, 'alarms', 'topicArn'] },
        `topicArn is a topic in ${region}, but the environment's alarms are in ${env.region}`,
        `use a topic in ${env.region}, or omit topicArn to have the stack create one`,
      );
    });
  },
});
