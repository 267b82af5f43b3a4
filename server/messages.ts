/**
 * Server-side error messages, Japanese first. The client sends its UI language in the
 * `x-mnv-lang` header; the error also carries `appCode` so the UI can translate itself.
 * No message ever contains a value the user entered.
 */
export type Lang = 'ja' | 'en';

const messages = {
	invalid_input: { ja: '入力内容に誤りがあります。', en: 'Some input is not valid.' },
	not_signed_in: { ja: 'サインインしてください。', en: 'Please sign in.' },
	forbidden: { ja: 'この操作を行う権限がありません。', en: 'You are not allowed to do this.' },
	not_found: { ja: '対象が見つかりません。', en: 'Not found.' },
	setup_done: { ja: 'この環境の初期設定は完了しています。', en: 'This instance has already been set up.' },
	setup_token_invalid: {
		ja: 'セットアップ用リンクが正しくありません。サーバーのコンソールに表示されたリンクを使ってください。',
		en: 'The setup link is not valid. Use the link printed in the server console.'
	},
	login_id_taken: { ja: 'このユーザーIDは既に使われています。', en: 'This user ID is already taken.' },
	bad_credentials: { ja: 'ユーザーIDまたはパスワードが違います。', en: 'Wrong user ID or password.' },
	password_change_required: {
		ja: '管理者が設定した初期パスワードのままです。先にご自身のパスワードに変更してください。',
		en: 'You still have the initial password your administrator set. Change it to your own password first.'
	},
	current_password_wrong: { ja: '現在のパスワードが違います。', en: 'The current password is wrong.' },
	password_unchanged: {
		ja: '新しいパスワードには、現在のパスワードと違うものを入力してください。',
		en: 'The new password must differ from the current one.'
	},
	department_duplicate: {
		ja: '部署「{name}」が二回以上入力されています。一つにまとめてください。',
		en: 'Department "{name}" is entered more than once. Keep one.'
	},
	rate_limited: {
		ja: '失敗が続いたため、しばらくサインインできません。{seconds}秒後にもう一度お試しください。',
		en: 'Too many failed attempts. Try again in {seconds} seconds.'
	},
	handler_key_exists: { ja: '鍵は既に作成されています。', en: 'Your keys already exist.' },
	handler_key_missing: {
		ja: '先に鍵（パスフレーズ）を作成してください。',
		en: 'Create your keys (passphrase) first.'
	},
	passkey_challenge_invalid: {
		ja: 'パスキーの確認が期限切れか、正しくありません。最初からもう一度お試しください。',
		en: 'The passkey request has expired or is not valid. Please start again.'
	},
	passkey_failed: {
		ja: 'パスキーを確認できませんでした。登録済みのパスキーを使ってください。',
		en: 'The passkey could not be verified. Use a passkey registered here.'
	},
	passkey_other_employee: {
		ja: 'このパスキーは別の従業員のものです。ご自身のパスキーかパスワードでサインインしてください。',
		en: 'This passkey belongs to another employee. Sign in with your own passkey or password.'
	},
	passkey_exists: { ja: 'このパスキーは既に登録されています。', en: 'This passkey is already registered.' },
	passkey_no_wrap: {
		ja: 'このパスキーでは鍵を開けません（PRF 非対応）。鍵のパスフレーズを使ってください。',
		en: 'This passkey cannot unlock your keys (no PRF support). Use your key passphrase.'
	},
	passkey_last_unlock_method: {
		ja: '鍵を開く最後の方法は削除できません。先に別のパスキーを登録するか、パスフレーズを残してください。',
		en: 'You cannot remove the last way to unlock your keys. Register another passkey first, or keep your passphrase.'
	},
	passkey_last_second_factor: {
		ja: 'この組織ではパスキーによる確認が必須のため、最後のパスキーは削除できません。先に別のパスキーを登録してください。',
		en: 'Your organisation requires a passkey at sign-in, so you cannot remove your last one. Register another passkey first.'
	},
	second_factor_needs_passkey: {
		ja: '二段階認証を必須にする前に、ご自身のパスキーを登録してください（全員がログインできなくなるのを防ぐため）。',
		en: 'Register a passkey of your own before requiring a second factor (so that nobody is locked out).'
	},
	second_factor_no_passkey: {
		ja: 'この組織ではパスキーによる確認が必須ですが、あなたのパスキーが登録されていません。管理者に連絡してください。',
		en: 'Your organisation requires a passkey at sign-in, but you have none registered. Contact your administrator.'
	},
	company_exists: { ja: 'この会社は既に登録されています。', en: 'This company is already registered.' },
	corporate_number_invalid: {
		ja: '法人番号が正しくありません（13桁、先頭がチェックデジット）。',
		en: 'The corporate number is not valid (13 digits, the first is the check digit).'
	},
	manifest_invalid: {
		ja: '会社の鍵の署名を確認できませんでした。',
		en: 'The company key manifest could not be verified.'
	},
	member_invalid: {
		ja: '担当者の登録情報（会社の鍵による署名）を確認できませんでした。',
		en: 'The member statement (signed by the company key) could not be verified.'
	},
	member_exists: { ja: 'この担当者には既にこの会社の権限があります。', en: 'This handler already has a role in this company.' },
	grant_incomplete: {
		ja: '鍵の受け渡しに必要なデータがそろっていません。画面を再読み込みしてやり直してください。',
		en: 'The key grant is incomplete. Reload and try again.'
	},
	revoke_self: { ja: '自分自身の権限は解除できません。', en: 'You cannot remove your own role.' },
	roster_duplicate_code: {
		ja: '同じ従業員コードが複数の行にあります。',
		en: 'The same employee code appears in more than one row.'
	},
	roster_changed: {
		ja: '取り込み中に名簿が変更されました。画面を再読み込みして、もう一度取り込んでください（何も変更されていません）。',
		en: 'The roster changed during the import. Reload and import again (nothing was changed).'
	},
	recovery_kit_required: {
		ja: '招待を発行する前に、事務取扱責任者が復旧キットをダウンロードして保管を確認してください。',
		en: 'A 事務取扱責任者 must download the recovery kit and confirm it is stored before invitations can be issued.'
	},
	recovery_kit_outdated: {
		ja: '復旧キットの鍵の世代が会社の現在の鍵と合いません。画面を再読み込みして最新のキットをダウンロードしてください。',
		en: 'The recovery kit does not match the company\'s current keys. Reload and download the latest kit.'
	},
	employee_code_exists: {
		ja: '従業員コード「{code}」は既に登録されています。',
		en: 'Employee code "{code}" already exists.'
	},
	code_taken_by_payee: {
		ja: 'コード「{code}」は既に支払先（取引先・個人事業主）に使われています。従業員と支払先のコードは、会社ごとに重複できません。別のコードにしてください。',
		en: 'Code "{code}" is already used by a payee (business partner or sole proprietor). Employees and payees of a company cannot share a code. Choose another code.'
	},
	roster_code_payee: {
		ja: '名簿の {count} 件のコード（{codes}）は支払先（取引先・個人事業主）に使われています。名簿の取り込みは従業員だけが対象で、支払先は変更できません。該当する行のコードを変えるか削除してから、もう一度取り込んでください（何も変更されていません）。',
		en: '{count} code(s) of the roster ({codes}) belong to payees (business partners or sole proprietors). A roster import covers employees only and never changes a payee. Change or remove those rows and import again (nothing was changed).'
	},
	sealed_data_invalid: {
		ja: '暗号化されたデータの形式が正しくありません。',
		en: 'The encrypted data is not in the expected format.'
	},
	revoke_last_owner_responsible: {
		ja: 'この会社を持つ組織の事務取扱責任者が一人もいなくなるため、解除できません。先に自組織の担当者を責任者として追加してください。',
		en: 'This would leave the organisation that owns the company without a responsible handler of its own. Add one of its handlers as responsible first.'
	},
	partner_link_invalid: {
		ja: 'この提携用リンクは無効です。発行した事務所に新しいリンクを依頼してください。',
		en: 'This partner link is not valid. Ask the office that sent it for a new one.'
	},
	partner_link_used: { ja: 'この提携用リンクは既に使われています。', en: 'This partner link has already been used.' },
	partner_link_expired: {
		ja: 'この提携用リンクは期限切れか、取り消されています。発行した事務所に新しいリンクを依頼してください。',
		en: 'This partner link has expired or was withdrawn. Ask the office that sent it for a new one.'
	},
	partner_self: { ja: '自分の組織が発行したリンクは受け入れられません。', en: 'You cannot accept a link your own organisation issued.' },
	partner_exists: { ja: 'この組織とは既に提携しています。', en: 'You already work with this organisation.' },
	partner_admin_only: {
		ja: '提携を受け入れられるのは組織の管理者だけです。管理者にこのリンクを渡してください。',
		en: 'Only an administrator of your organisation can accept a partnership. Pass this link to them.'
	},
	partner_in_use: {
		ja: '相手の組織の担当者に渡した会社の権限（またはこちらが受けた権限）がまだ{count}件あります。先に各会社の画面で権限を解除してください（鍵が更新されます）。',
		en: '{count} company role(s) still cross between the two organisations. Remove them on each company first (this renews the keys).'
	},
	join_link_invalid: {
		ja: '招待リンクが正しくありません。会社の担当者に確認してください。',
		en: 'This invitation link is not valid. Please ask your company.'
	},
	join_link_used: {
		ja: 'この招待リンクは既に使用されています。心当たりがない場合は会社の担当者に連絡してください。',
		en: 'This invitation link has already been used. If that was not you, contact your company.'
	},
	join_link_expired: {
		ja: 'この招待リンクは有効期限が切れています。会社の担当者に再発行を依頼してください。',
		en: 'This invitation link has expired. Ask your company for a new one.'
	},
	wrong_initial_password: {
		ja: '初期パスワードが違います。通知書に記載のパスワードを入力してください。',
		en: 'Wrong initial password. Enter the password printed on your letter.'
	},
	upload_meta_invalid: {
		ja: 'アップロード情報が正しくありません。',
		en: 'The upload information is not valid.'
	},
	upload_not_ciphertext: {
		ja: '暗号化されていないデータは受け付けられません。',
		en: 'Only encrypted data can be uploaded.'
	},
	upload_too_large: {
		ja: 'データが大きすぎます（上限 {limit}）。',
		en: 'The data is too large (limit {limit}).'
	},
	epoch_outdated: {
		ja: '会社の鍵が更新されています。画面を再読み込みしてからもう一度送信してください。',
		en: "The company's key has changed. Reload the page and send again."
	},
	submission_conflict: {
		ja: 'この提出は既に別の内容で受け付けられています。',
		en: 'This submission was already received with different content.'
	},
	submission_images_missing: {
		ja: '書類の写真 {items} 枚目がまだ届いていません。通信が戻ると自動で再送します。',
		en: 'Document photo {items} has not arrived yet. It is resent automatically when the connection is back.'
	},
	too_many_pending_photos: {
		ja: '送信途中の写真が多すぎます。送信待ちの提出が届いてから、もう一度お試しください。',
		en: 'Too many photos are waiting for their submission. Try again once the waiting submissions have arrived.'
	},
	device_mismatch: {
		ja: 'この提出は以前の招待で登録した端末で作成されたため送信できません。お手数ですが、もう一度提出してください。',
		en: 'This submission was made on a device registered with an earlier invitation and cannot be sent. Please submit again.'
	},
	submission_not_replaceable: {
		ja: '訂正できる提出ではありません（受付済み、または既に訂正されています）。',
		en: 'This submission cannot be corrected (already accepted or already corrected).'
	},
	submission_superseded: {
		ja: 'この提出は訂正版に置き換えられています。最新の提出を確認してください。',
		en: 'This submission was replaced by a correction. Check the newest one.'
	},
	photos_minimised: {
		ja: 'この書類の画像は、承認後の保存期間が過ぎたため削除されています（データ最小化）。',
		en: 'The document photos were deleted after their retention period following acceptance (data minimisation).'
	},
	export_formats_full: {
		ja: '保存できる出力形式は1社につき{max}件までです。使わない形式を削除してください。',
		en: 'A company can keep up to {max} download formats. Delete one you no longer use.'
	},
	export_columns_duplicate: {
		ja: '同じ列が2回選ばれています。',
		en: 'The same column is chosen twice.'
	},
	decision_photos_minimised: {
		ja: '書類の画像が削除済みのため、確認結果は変更できません（確認できる画像がありません）。',
		en: 'The document photos were deleted, so the decision can no longer change (there is nothing left to check).'
	},
	image_retention_days_invalid: {
		ja: '保存日数は 1〜3650 の整数で入力してください。',
		en: 'Enter the number of days as a whole number from 1 to 3650.'
	},
	reason_required: {
		ja: '閲覧理由を入力してください（2〜200文字）。',
		en: 'Enter a reason for viewing (2–200 characters).'
	},
	reason_contains_number: {
		ja: '閲覧理由にマイナンバーのような数字を含めないでください。',
		en: 'Do not put a number that looks like a My Number into the reason.'
	},
	return_reason_contains_number: {
		ja: '差し戻しの理由にマイナンバーのような数字を含めないでください。',
		en: 'Do not put a number that looks like a My Number into the reason for returning.'
	},
	disposal_responsible_self: {
		ja: '廃棄は事務取扱責任者ご本人が行い、責任者としてご自身を記録します。',
		en: 'A 責任者 disposes of data personally and is recorded as the 責任者.'
	},
	disposal_note_required: {
		ja: '廃棄の理由が「その他」のときは、備考に理由を入力してください。',
		en: 'When the reason for disposal is "other", enter it in the note.'
	},
	disposal_note_contains_number: {
		ja: '備考にマイナンバーのような数字を含めないでください。',
		en: 'Do not put a number that looks like a My Number into the note.'
	},
	disposal_already_disposed: {
		ja: '既に廃棄済みの人が含まれています（{codes}、{count}人）。その人を外してもう一度お試しください。',
		en: 'Some people were already disposed of ({codes}; {count} in all). Leave them out and try again.'
	},
	employee_disposed: {
		ja: 'この人のデータは廃棄済みです。',
		en: "This person's data has been disposed of."
	},
	history_period_invalid: {
		ja: '期間の終わりは始まりより後の日付にしてください。',
		en: 'The end of the period must be after its start.'
	},
	history_filter_conflict: {
		ja: '操作は一つ、または操作の種類を一つだけ選んでください。',
		en: 'Choose either one operation or one kind of operation, not both.'
	},
	ip_not_allowed: {
		ja: 'このIPアドレスからは利用できません。組織の管理者が許可したネットワークから接続してください。',
		en: "Sign-in is not allowed from this IP address. Connect from a network your organisation's administrator allowed."
	},
	ip_allowlist_excludes_you: {
		ja: 'この一覧では、今お使いのIPアドレス（{ip}）からも利用できなくなります。このアドレスを含めてください。',
		en: 'With this list, your own current address ({ip}) would be refused too. Include it.'
	},
	ip_allowlist_invalid: {
		ja: 'IPアドレスまたはCIDR（例：203.0.113.0/24）の形式で入力してください。',
		en: 'Enter an IP address or a CIDR range (e.g. 203.0.113.0/24).'
	},
	account_not_locked: {
		ja: 'このアカウントはロックされていません。',
		en: 'This account is not locked.'
	},
	checkpoint_clock: {
		ja: 'この端末の時計がサーバーと大きくずれているため、チェックポイントに署名できません。時計を合わせてください。',
		en: "This computer's clock is far from the server's, so the checkpoint cannot be signed. Set the clock."
	},
	checkpoint_head_mismatch: {
		ja: '署名しようとした履歴の位置が、サーバーの履歴と一致しません。',
		en: "The history position to be signed does not match the server's history."
	},
	checkpoint_signature_invalid: {
		ja: 'チェックポイントの署名が、あなたの鍵の署名ではありません。',
		en: 'The checkpoint signature is not made with your key.'
	},
	origin_rejected: {
		ja: '別のサイトからの要求は受け付けられません。',
		en: 'Requests from another site are refused.'
	},
	internal: {
		ja: 'サーバーで問題が発生しました。時間をおいてもう一度お試しください。',
		en: 'Something went wrong on the server. Please try again later.'
	}
} as const satisfies Record<string, Record<Lang, string>>;

export type AppCode = keyof typeof messages;

export function isAppCode(value: string): value is AppCode {
	return Object.hasOwn(messages, value);
}

/** The message for `code` in `lang`, with `{name}` placeholders filled from `params`. */
export function message(code: AppCode, lang: Lang, params: Record<string, string | number> = {}): string {
	return messages[code][lang].replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? ''));
}

/** Picks the UI language from the `x-mnv-lang` header, then Accept-Language; Japanese by default. */
export function pickLang(header: string | undefined, acceptLanguage: string | undefined): Lang {
	if (header === 'en' || header === 'ja') return header;
	if (acceptLanguage && /^\s*en\b/i.test(acceptLanguage)) return 'en';
	return 'ja';
}
