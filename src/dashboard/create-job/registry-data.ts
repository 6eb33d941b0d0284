/**
 * What the form picks from: thing groups and things (ListThingGroups, ListThings), custom and
 * AWS managed job templates (ListJobTemplates, ListManagedJobTemplates), each read through every
 * `nextToken` page, and one template's details (DescribeJobTemplate, DescribeManagedJobTemplate).
 */
import { useEffect, useState } from 'preact/hooks';
import { call, seg } from '../api.js';
import type { TargetRef } from './form-state.js';

/** ListThings' largest page. */
const PAGE_SIZE = 250;

export interface Listing<T> {
  items: T[];
  /** Still reading pages. */
  loading: boolean;
  error?: string;
}

/** Every page of a paginated list, published as pages arrive (10 000 things is 40 pages). */
function useAllPages<T, R>(path: string, read: (page: R) => T[]): Listing<T> {
  const [state, setState] = useState<Listing<T>>({ items: [], loading: true });
  useEffect(() => {
    let stopped = false;
    void (async () => {
      const items: T[] = [];
      let nextToken: string | undefined;
      do {
        const query = `maxResults=${PAGE_SIZE}${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`;
        const r = await call<R & { nextToken?: string }>('GET', `${path}?${query}`);
        if (stopped) return;
        if (!r.ok) {
          setState({ items, loading: false, error: r.error.message });
          return;
        }
        items.push(...read(r.data));
        nextToken = r.data.nextToken;
        setState({ items: [...items], loading: nextToken !== undefined });
      } while (nextToken);
    })();
    return () => {
      stopped = true;
    };
  }, [path]);
  return state;
}

export function useThingGroups(): Listing<TargetRef> {
  return useAllPages('/thing-groups', (p: { thingGroups?: { groupName: string; groupArn: string }[] }) =>
    (p.thingGroups ?? []).map((g) => ({ name: g.groupName, arn: g.groupArn })),
  );
}

export function useThings(): Listing<TargetRef> {
  return useAllPages('/things', (p: { things?: { thingName: string; thingArn: string }[] }) => (p.things ?? []).map((t) => ({ name: t.thingName, arn: t.thingArn })));
}

export interface TemplateChoice {
  arn: string;
  label: string;
  description?: string;
  managed: boolean;
}

export function useCustomTemplates(): Listing<TemplateChoice> {
  return useAllPages('/job-templates', (p: { jobTemplates?: { jobTemplateArn: string; jobTemplateId: string; description?: string }[] }) =>
    (p.jobTemplates ?? []).map((t) => ({ arn: t.jobTemplateArn, label: t.jobTemplateId, description: t.description, managed: false })),
  );
}

export function useManagedTemplates(): Listing<TemplateChoice> {
  return useAllPages('/managed-job-templates', (p: { managedJobTemplates?: { templateArn: string; templateName: string; templateVersion: string; description?: string }[] }) =>
    (p.managedJobTemplates ?? []).map((t) => ({ arn: t.templateArn, label: `${t.templateName} (v${t.templateVersion})`, description: t.description, managed: true })),
  );
}

/** One of a managed template's documentParameters, as DescribeManagedJobTemplate gives it. */
export interface DocumentParameter {
  key: string;
  description?: string;
  regex?: string;
  example?: string;
  optional?: boolean;
}

export interface TemplateDetail {
  arn: string;
  description?: string;
  document?: string;
  documentParameters: DocumentParameter[];
  error?: string;
}

/** `arn:aws:iot:<region>::jobtemplate/AWS-<name>:<version>` → name and version; custom → its id. */
export function templateOfArn(arn: string): { managed: true; name: string; version: string } | { managed: false; id: string } | undefined {
  const managed = /:jobtemplate\/(AWS-[^:/]+):([^:/]+)$/.exec(arn);
  if (managed?.[1] && managed[2]) return { managed: true, name: managed[1], version: managed[2] };
  const custom = /:jobtemplate\/([^:/]+)$/.exec(arn);
  return custom?.[1] ? { managed: false, id: custom[1] } : undefined;
}

export function useTemplateDetail(arn: string): TemplateDetail | undefined {
  const [detail, setDetail] = useState<TemplateDetail | undefined>(undefined);
  useEffect(() => {
    setDetail(undefined);
    const which = templateOfArn(arn);
    if (!which) return;
    let stopped = false;
    const path = which.managed ? `/managed-job-templates/${seg(which.name)}?templateVersion=${encodeURIComponent(which.version)}` : `/job-templates/${seg(which.id)}`;
    void call<{ description?: string; document?: string; documentParameters?: DocumentParameter[] }>('GET', path).then((r) => {
      if (stopped) return;
      setDetail(
        r.ok
          ? { arn, description: r.data.description, document: r.data.document, documentParameters: r.data.documentParameters ?? [] }
          : { arn, documentParameters: [], error: r.error.message },
      );
    });
    return () => {
      stopped = true;
    };
  }, [arn]);
  return detail?.arn === arn ? detail : undefined;
}
