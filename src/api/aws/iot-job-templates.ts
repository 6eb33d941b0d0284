/** Job template routes of service `iot` (spec §3.2): custom templates and the AWS managed ones. */
import type { FastifyInstance } from 'fastify';
import type { JobTemplates } from '../../cloud/jobs/job-templates.js';
import { jsonRoute, pathParam, queryPage, queryString } from './rest-json.js';

export function registerIotJobTemplates(app: FastifyInstance, templates: JobTemplates): void {
  app.put('/job-templates/:jobTemplateId', jsonRoute((req, body) => templates.create(pathParam(req, 'jobTemplateId'), body)));
  app.get('/job-templates/:jobTemplateId', jsonRoute((req) => templates.describe(pathParam(req, 'jobTemplateId'))));
  app.delete('/job-templates/:jobTemplateId', jsonRoute((req) => templates.delete(pathParam(req, 'jobTemplateId'))));
  app.get(
    '/job-templates',
    jsonRoute((req) => {
      const page = queryPage(req.query);
      return page.ok ? templates.list(page.value) : page;
    }),
  );

  app.get(
    '/managed-job-templates/:templateName',
    jsonRoute((req) => templates.describeManaged(pathParam(req, 'templateName'), queryString(req.query, 'templateVersion'))),
  );
  app.get(
    '/managed-job-templates',
    jsonRoute((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      const templateName = queryString(req.query, 'templateName');
      return templates.listManaged({ ...page.value, ...(templateName !== undefined && templateName !== '' ? { templateName } : {}) });
    }),
  );
}
