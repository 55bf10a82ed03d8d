-- Whether the user chose their language (issue 13 §5). Until they do, pages follow the browser
-- (`Accept-Language`); `locale` alone cannot say so, as it was created NOT NULL DEFAULT 'en'.
-- Anyone who already picked another language than the default keeps it.
ALTER TABLE users ADD COLUMN locale_chosen INTEGER NOT NULL DEFAULT 0;
UPDATE users SET locale_chosen = 1 WHERE locale <> 'en';
