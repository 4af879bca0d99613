-- One written file of a document: a rerun replaces the path and hash of the same document and format.
insert into core.document (year, kind, unit_code, format, path, sha256)
values (:year, :kind, :unit_code, :format, :path, :sha256)
on conflict (year, kind, unit_code, format)
do update set path = excluded.path, sha256 = excluded.sha256, written_at = now()
